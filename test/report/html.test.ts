import { strict as assert } from 'node:assert';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import { text, type ReportDocument } from '../../pipeline/report/document-model.ts';
import { inlineSvg, renderHtml } from '../../pipeline/report/formats/html.ts';
import type { Summary } from '../../pipeline/types.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';

describe('htmlFormat', () => {
  const { summary, manifest } = loadSummaryPair('chapter5');
  const figures = [{ id: 'phase-medians', caption: 'Median per phase.', svg: SVG }];
  const html = renderHtml(buildDocument({ summary, manifest, figures }), figures);

  it('is one HTML5 document with a charset and a title', () => {
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">'));
    assert.match(html, /<title>Measurements: chapter5<\/title>/);
    assert.ok(html.endsWith('</html>\n'));
  });

  it('inlines the figure as SVG in place of the image link, labelled with its caption', () => {
    assert.ok(html.includes('<svg role="img" aria-label="Median per phase." xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(!html.includes('<img'));
    assert.match(html, /<em>Figure 1: Median per phase\.<\/em>/);
  });

  it('references nothing outside itself', () => {
    assert.ok(!/(src|href)="(https?:|\/\/)/.test(html));
    assert.ok(!/<link\b|<script\b|@import|url\((?!#)/.test(html));
  });

  it('keeps its style inline', () => {
    assert.match(html, /<style>[^<]+<\/style>/);
  });

  it('renders the results as tables with right-aligned numbers', () => {
    assert.match(html, /<th style="text-align:right">median \(ms\)<\/th>/);
    const median = summary.cells[0]?.phases.create?.medianMs.toPrecision(3);
    assert.ok(html.includes(`<td style="text-align:right">${median}</td>`));
  });

  it('escapes markup in data, in the text and in the title', () => {
    const hostile: Summary = {
      ...summary,
      matrixName: '<b>matrix</b>',
      failed: [{ cellId: 'x', error: '<script>alert("pwned")</script> & more' }],
    };
    const page = renderHtml(buildDocument({ summary: hostile, manifest, figures }), figures);
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
    assert.match(renderHtml(doc, []), /<img src="figures\/other\.svg" alt="c">/);
  });
});

describe('inlineSvg()', () => {
  it('prefixes ids and their references with the figure id, so figures on one page keep their own', () => {
    const svg = '<svg><defs><linearGradient id="gradient_0"/><clipPath id="clip1"/></defs><rect fill="url(#gradient_0)" clip-path="url(#clip1)"/></svg>';
    assert.equal(
      inlineSvg(svg, 'x', 'total-heatmap'),
      '<svg role="img" aria-label="x"><defs><linearGradient id="total-heatmap-gradient_0"/><clipPath id="total-heatmap-clip1"/></defs><rect fill="url(#total-heatmap-gradient_0)" clip-path="url(#total-heatmap-clip1)"/></svg>',
    );
  });
});
