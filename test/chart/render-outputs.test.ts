import { strict as assert } from 'node:assert';
import { renderPdf } from '../../pipeline/chart/render-pdf.ts';
import { PNG_SCALE, renderPng } from '../../pipeline/chart/render-png.ts';
import { renderSvg } from '../../pipeline/chart/render-svg.ts';
import { totalHeatmapChart } from '../../pipeline/chart/total-heatmap-chart.ts';
import { CrbenchError } from '../../pipeline/errors.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';

const TEXT_SVG = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30">${body}</svg>`;

describe('renderPng()', () => {
  let svg = '';
  before(async () => {
    const spec = totalHeatmapChart(loadSummaryPair('chapter5').summary)[0]?.spec;
    assert.ok(spec);
    svg = await renderSvg(spec);
  });

  it('draws a PNG at twice the size of the SVG', () => {
    const png = renderPng(svg);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const widthPx = Number(/^<svg[^>]*\swidth="([0-9.]+)"/.exec(svg)?.[1]);
    assert.equal(png.readUInt32BE(16), Math.ceil(widthPx * PNG_SCALE));
  });

  it('draws text: the fonts are given to resvg, which draws none without them', () => {
    const withText = renderPng(TEXT_SVG('<text x="4" y="20" font-family="DejaVu Sans" font-size="14">runc</text>'));
    const withoutText = renderPng(TEXT_SVG(''));
    assert.ok(!withText.equals(withoutText));
  });

  it('gives the same bytes every time', () => {
    assert.ok(renderPng(svg).equals(renderPng(svg)));
  });
});

describe('renderPdf()', () => {
  let svg = '';
  before(async () => {
    const spec = totalHeatmapChart(loadSummaryPair('chapter5').summary)[0]?.spec;
    assert.ok(spec);
    svg = await renderSvg(spec);
  });

  it('makes a PDF with DejaVu Sans embedded', () => {
    const pdf = renderPdf(svg);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = pdf.toString('latin1');
    assert.match(text, /\/FontFile2/);
    assert.match(text, /DejaVuSans/);
  });

  it('gives the same bytes every time: the creation date is pinned', () => {
    assert.ok(renderPdf(svg).equals(renderPdf(svg)));
  });

  it('names the Debian package when rsvg-convert is missing', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      assert.throws(() => renderPdf(svg), (error: unknown) => error instanceof CrbenchError && error.code === 'RSVG_CONVERT_MISSING' && /librsvg2-bin/.test(error.message));
    } finally {
      process.env.PATH = path;
    }
  });
});
