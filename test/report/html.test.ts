import { strict as assert } from 'node:assert';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import { text, type ReportDocument } from '../../pipeline/report/document-model.ts';
import { htmlFormat } from '../../pipeline/report/formats/html.ts';
import type { Summary } from '../../pipeline/types.ts';
import { loadResultsFixture, loadSummaryFixture } from '../fixtures/results/load-fixture.ts';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';

describe('htmlFormat', () => {
  const { manifest } = loadResultsFixture();
  const summary = loadSummaryFixture();
  const figures = [{ id: 'phase-medians', caption: 'Median per phase.', svg: SVG }];
  const html = htmlFormat.render(buildDocument({ summary, manifest, figures }), figures);

  it('is one HTML5 document with a charset and a title', () => {
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">'));
    assert.match(html, /<title>Measurements: chapter5-small<\/title>/);
    assert.ok(html.endsWith('</html>\n'));
  });

  it('inlines the figure as SVG in place of the image link, labelled with its caption', () => {
    assert.ok(html.includes('<svg role="img" aria-label="Median per phase." xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(!html.includes('<img'));
    assert.match(html, /<em>Figure 1: Median per phase\.<\/em>/);
  });

  it('references nothing outside itself', () => {
    assert.ok(!/(src|href)="https?:/.test(html));
    assert.ok(!/<link\b|<script\b|@import|url\(/.test(html));
  });

  it('keeps its style inline', () => {
    assert.match(html, /<style>[^<]+<\/style>/);
  });

  it('renders the results as a table with right-aligned numbers', () => {
    assert.match(html, /<th style="text-align:right">create \(ms\)<\/th>/);
    assert.match(html, /<td style="text-align:right">11\.7 \[11\.3–12\.3\]<\/td>/);
  });

  it('escapes markup in data, in the text and in the title', () => {
    const hostile: Summary = {
      ...summary,
      matrixName: '<b>matrix</b>',
      failed: [{ cellId: 'x', error: '<script>alert("pwned")</script> & more' }],
    };
    const page = htmlFormat.render(buildDocument({ summary: hostile, manifest, figures }), figures);
    assert.ok(!page.includes('<script>'));
    assert.ok(page.includes('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; more'));
    assert.match(page, /<title>Measurements: &lt;b&gt;matrix&lt;\/b&gt;<\/title>/);
  });

  it('leaves an image it has no SVG for as an ordinary image', () => {
    const doc: ReportDocument = {
      title: 't',
      blocks: [
        { kind: 'paragraph', content: [text('before')] },
        { kind: 'figure', id: 'other', number: 1, caption: 'c', path: 'figures/other.svg' },
      ],
    };
    assert.match(htmlFormat.render(doc, []), /<img src="figures\/other\.svg" alt="c">/);
  });
});
