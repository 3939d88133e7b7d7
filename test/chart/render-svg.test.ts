import { strict as assert } from 'node:assert';
import { FIGURES } from '../../pipeline/chart/figures.ts';
import { phaseMedianChart, phaseMedianRows } from '../../pipeline/chart/phase-median-chart.ts';
import { renderFigures } from '../../pipeline/chart/render-figures.ts';
import { renderSvg } from '../../pipeline/chart/render-svg.ts';
import { LIFECYCLE_PHASES } from '../../pipeline/types.ts';
import { loadSummaryFixture } from '../fixtures/results/load-fixture.ts';

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('renderSvg()', () => {
  const summary = loadSummaryFixture();
  const rows = phaseMedianRows(summary);
  let svg = '';
  before(async () => {
    svg = await renderSvg(phaseMedianChart(summary));
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

  it('names every phase as text', () => {
    for (const phase of LIFECYCLE_PHASES) assert.match(svg, new RegExp(`>${phase}</text>`));
  });

  it('labels the y axis and the legend in words', () => {
    assert.match(svg, />median duration \(ms\)</);
    assert.match(svg, />filesystem</);
  });

  it('gives the same bytes every time', async () => {
    assert.equal(await renderSvg(phaseMedianChart(summary)), svg);
  });
});

describe('renderFigures()', () => {
  it('renders every registered figure, in registry order, with a caption from the data', async () => {
    const figures = await renderFigures(loadSummaryFixture());
    assert.deepEqual(figures.map((f) => f.id), FIGURES.map((f) => f.id));
    assert.match(figures[0]?.caption ?? '', /seed 20251120/);
    assert.match(figures[0]?.caption ?? '', /n = 19–20 per point/);
    assert.equal(figures[0]?.specJson, `${JSON.stringify(figures[0]?.spec, null, 2)}\n`);
  });
});
