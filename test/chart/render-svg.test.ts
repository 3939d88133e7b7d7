import { strict as assert } from 'node:assert';
import { phaseMedianChart, phaseMedianRows } from '../../pipeline/chart/phase-median-chart.ts';
import { renderSvg } from '../../pipeline/chart/render-svg.ts';
import { totalHeatmapChart } from '../../pipeline/chart/total-heatmap-chart.ts';
import { LIFECYCLE_PHASES } from '../../pipeline/types.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('renderSvg()', () => {
  const { summary } = loadSummaryPair('chapter5');
  const rows = phaseMedianRows(summary);
  const spec = phaseMedianChart(summary)[0]?.spec;
  assert.ok(spec);
  let svg = '';
  before(async () => {
    svg = await renderSvg(spec);
  });

  it('returns an SVG document', () => {
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>$/);
  });

  it('draws one median point per data row', () => {
    assert.equal(count(svg, /aria-roledescription="point"/g), rows.length);
  });

  it('draws one error bar per data row', () => {
    assert.equal(count(svg, /<line aria-label="[^"]*" role="graphics-symbol" aria-roledescription="errorbar"/g), rows.length);
  });

  it('names every phase as text, in DejaVu Sans', () => {
    for (const phase of LIFECYCLE_PHASES) assert.match(svg, new RegExp(`>${phase} median \\(ms\\)</text>`));
    assert.match(svg, /font-family="DejaVu Sans, Verdana, sans-serif"/);
  });

  it('names the unit above each phase panel and the legend in words', () => {
    assert.match(svg, />create median \(ms\)</);
    assert.match(svg, />filesystem</);
  });

  it('gives the same bytes every time', async () => {
    assert.equal(await renderSvg(spec), svg);
  });

  it('numbers clip paths from 1 in every figure, whatever was rendered before', async () => {
    const heatmap = totalHeatmapChart(summary)[0]?.spec;
    assert.ok(heatmap);
    const first = await renderSvg(heatmap);
    await renderSvg(spec);
    assert.equal(await renderSvg(heatmap), first);
  });
});
