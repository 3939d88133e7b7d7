import { strict as assert } from 'node:assert';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import { text, type ReportDocument } from '../../pipeline/report/document-model.ts';
import { htmlFormat, inlineSvg, renderHtml } from '../../pipeline/report/formats/html.ts';
import type { Summary } from '../../pipeline/types.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';
import { docOf } from './report-fixture.ts';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';

describe('htmlFormat', () => {
  const { summary, manifest } = loadSummaryPair('chapter5');
  const figures = [{ id: 'phase-medians', caption: 'Median per phase.', svg: SVG }];
  const doc = buildDocument({ summary, manifest, figures });
  const html = renderHtml(doc, figures);

  it('writes one page, measurements.html, and nothing else', async () => {
    assert.deepEqual(htmlFormat.fileNames(doc), ['measurements.html']);
    assert.deepEqual((await htmlFormat.render(doc, figures)).map((file) => file.path), ['measurements.html']);
  });

  it('holds the three parts in order, each a section under its own chapter heading', () => {
    const sections = [...html.matchAll(/<section class="part" id="([a-z0-9]+)">\n<h1>([^<]*)<\/h1>/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(sections, [
      ['chapter4', 'Benchmark tool'],
      ['chapter5', 'Measurements'],
      ['appendix', 'Measurements in full'],
    ]);
    assert.ok(html.indexOf('<h2>Setup</h2>') < html.indexOf('<h2>Results</h2>'));
    assert.ok(html.indexOf('<h2>Results</h2>') < html.indexOf('<h2>Skipped and failed cells</h2>'));
  });

  it('gives the same bytes for the same document', () => {
    assert.equal(renderHtml(buildDocument({ summary, manifest, figures }), figures), html);
  });

  it('is one HTML5 document with a charset and a title', () => {
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">'));
    assert.match(html, /<title>Measurements: chapter5<\/title>/);
    assert.ok(html.endsWith('</html>\n'));
  });

  it('inlines the figure as SVG in place of the image link, labelled with its caption', () => {
    assert.ok(html.includes('<svg role="img" aria-label="Median per phase." xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(!html.includes('<img'));
    // No reference workload in this fixture: the chapter has no place for it, so the appendix shows it.
    assert.match(html, /<em>Figure A\.1: Median per phase\.<\/em>/);
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
    const doc: ReportDocument = docOf([
      { kind: 'paragraph', content: [text('before')] },
      { kind: 'figure', id: 'other', number: '5.1', caption: 'c', path: 'figures/other.svg' },
    ]);
    assert.match(renderHtml(doc, []), /<img src="figures\/other\.svg" alt="c">/);
  });

  it('gives a figure shown twice on the page its own ids the second time', () => {
    const svg = '<svg><clipPath id="clip1"/><rect clip-path="url(#clip1)"/></svg>';
    const figure = { kind: 'figure', id: 'f', caption: 'c', path: 'figures/f.svg' } as const;
    const doc: ReportDocument = {
      title: 't',
      macroPrefix: 'crb',
      parts: [
        { id: 'chapter5', blocks: [{ kind: 'heading', level: 1, text: 'Five' }, { ...figure, number: '5.1' }] },
        { id: 'appendix', blocks: [{ kind: 'heading', level: 1, text: 'A' }, { ...figure, number: 'A.1' }] },
      ],
    };
    const page = renderHtml(doc, [{ id: 'f', svg }]);
    assert.ok(page.includes('<clipPath id="f-clip1"/><rect clip-path="url(#f-clip1)"/>'));
    assert.ok(page.includes('<clipPath id="f-2-clip1"/><rect clip-path="url(#f-2-clip1)"/>'));
  });

  it('shows a cited number (Span.macro) as its text', () => {
    const page = renderHtml(docOf([{ kind: 'paragraph', content: [text('total '), { text: '12.5', macro: 'RecommendedTotalMs' }] }]), []);
    assert.match(page, /<p>total 12\.5<\/p>/);
    assert.ok(!page.includes('RecommendedTotalMs'));
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
