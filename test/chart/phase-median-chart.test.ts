import { strict as assert } from 'node:assert';
import { phaseMedianChart, phaseMedianRows } from '../../pipeline/chart/phase-median-chart.ts';
import { LIFECYCLE_PHASES, type Summary } from '../../pipeline/types.ts';
import { loadSummaryFixture } from '../fixtures/results/load-fixture.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';
import { compileCollectingWarnings } from './compile-spec.ts';

/** The summary with the image axis varied: the first cell again with a second image. */
function summaryWithTwoImages(summary: Summary): Summary {
  const first = summary.cells[0];
  assert.ok(first);
  return { ...summary, cells: [...summary.cells, { ...first, cellId: `${first.cellId}-python`, image: 'python' }] };
}

describe('phaseMedianChart()', () => {
  const { summary } = loadSummaryPair('chapter5');
  const spec = phaseMedianChart(summary);
  assert.ok(spec && 'facet' in spec && 'spec' in spec);

  it('compiles without a warning when a second variant adds a row of panels', () => {
    const varied = phaseMedianChart(summaryWithTwoImages(summary));
    assert.ok(varied);
    assert.deepEqual(compileCollectingWarnings(varied), []);
    assert.ok('facet' in varied && varied.facet && 'row' in varied.facet);
  });

  it('keeps the life-cycle shapes and the levers apart, each variant named', () => {
    const first = summary.cells[0];
    assert.ok(first);
    const shaped = { ...summary, cells: [first, { ...first, cellId: 'command', lifecycle: 'command' as const }, { ...first, cellId: 'reused', lifecycle: 'command' as const, cgroup: 'reused' as const }] };
    const launch = phaseMedianRows(shaped).filter((row) => row.phase === 'launch');
    assert.deepEqual(launch.map((row) => row.variant), ['exec · cgroup fresh', 'command · cgroup fresh', 'command · cgroup reused']);
  });

  it('has no row of panels when cells differ only in runtime and filesystem', () => {
    assert.ok(!('row' in spec.facet));
  });

  it('orders the phase panels as the life cycle runs, not alphabetically', () => {
    assert.ok('column' in spec.facet);
    assert.deepEqual((spec.facet.column as { sort: unknown }).sort, [...LIFECYCLE_PHASES]);
  });

  it('gives each phase its own x scale', () => {
    assert.deepEqual(spec.resolve, { scale: { x: 'independent' } });
  });

  it('sets a fixed panel width', () => {
    assert.ok('width' in spec.spec && typeof spec.spec.width === 'number');
  });

  it('inlines one row per cell and measured phase, phases in life-cycle order then cells in summary order', () => {
    const rows = phaseMedianRows(summary);
    const expected = LIFECYCLE_PHASES.flatMap((phase) =>
      summary.cells.filter((c) => c.phases[phase]).map((c) => `${phase}:${c.runtime}/${c.filesystem}`),
    );
    assert.deepEqual(rows.map((r) => `${r.phase}:${r.runtime}/${r.filesystem}`), expected);
    assert.equal(rows.length, 30);
    assert.deepEqual('data' in spec && spec.data && 'values' in spec.data ? spec.data.values : undefined, rows);
  });

  it('carries each median with the interval around it', () => {
    const first = phaseMedianRows(summary)[0];
    const stats = summary.cells[0]?.phases.create;
    assert.deepEqual([first?.medianMs, first?.ciLowMs, first?.ciHighMs], [stats?.medianMs, stats?.ciLowMs, stats?.ciHighMs]);
  });

  it('draws the analyse stage’s own golden summary too, whatever fields it has yet', () => {
    const golden = phaseMedianChart(loadSummaryFixture());
    assert.ok(golden);
    assert.deepEqual(compileCollectingWarnings(golden), []);
  });

  it('is undefined without cells', () => {
    assert.equal(phaseMedianChart({ ...summary, cells: [] }), undefined);
  });
});
