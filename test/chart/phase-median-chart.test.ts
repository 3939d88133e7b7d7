import { strict as assert } from 'node:assert';
import { phaseMedianChart, phaseMedianRows } from '../../pipeline/chart/phase-median-chart.ts';
import { BENIGN_FACET_WARNING } from '../../pipeline/chart/render-svg.ts';
import type { TopLevelSpec } from 'vega-lite';
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

const warningsOf = (spec: TopLevelSpec) => compileCollectingWarnings(spec).filter((warning) => !BENIGN_FACET_WARNING.test(String(warning[0])));
type Faceted = { facet: { row: { field: string; sort: string[] } }; spec: { width: number; encoding: { y: { field: string } } }; resolve: unknown; data: { values: unknown[] } };

describe('phaseMedianChart()', () => {
  const { summary } = loadSummaryPair('chapter5');
  const pieces = phaseMedianChart(summary);
  const spec = pieces[0]?.spec as unknown as Faceted;

  it('draws the chapter5 summary as one figure, one panel per phase, nothing added to its id', () => {
    assert.equal(pieces.length, 1);
    assert.deepEqual(pieces[0]?.suffix, []);
  });

  it('gives a second image a figure of its own, named by it, compiling without a warning', () => {
    const varied = phaseMedianChart(summaryWithTwoImages(summary));
    assert.deepEqual(varied.map((piece) => piece.suffix.join('-')), ['tiny', 'python']);
    for (const piece of varied) assert.deepEqual(warningsOf(piece.spec), []);
  });

  it('keeps the life-cycle shapes and the levers apart, each variant named', () => {
    const first = summary.cells[0];
    assert.ok(first);
    const shaped = { ...summary, cells: [first, { ...first, cellId: 'command', lifecycle: 'command' as const }, { ...first, cellId: 'reused', lifecycle: 'command' as const, cgroup: 'reused' as const }] };
    const launch = phaseMedianRows(shaped).filter((row) => row.phase === 'launch');
    assert.deepEqual(launch.map((row) => row.variant), ['exec · cgroup fresh', 'command · cgroup fresh', 'command · cgroup reused']);
    assert.deepEqual(launch.map((row) => row.part), ['exec', 'command', 'command · cgroup reused']);
    assert.deepEqual(phaseMedianChart(shaped).map((piece) => piece.suffix.join('-')), ['exec', 'command', 'command-cgroup-reused']);
  });

  it('stacks the phase panels as the life cycle runs, not alphabetically', () => {
    assert.deepEqual(spec.facet.row.sort, [...LIFECYCLE_PHASES]);
  });

  it('gives each phase its own x scale and its own rows', () => {
    assert.deepEqual(spec.resolve, { scale: { x: 'independent', y: 'independent' } });
  });

  it('names each row by runtime, storage driver and filesystem, in a panel of fixed width', () => {
    assert.equal(spec.spec.encoding.y.field, 'configuration');
    assert.ok(typeof spec.spec.width === 'number');
    assert.ok(phaseMedianRows(summary).every((row) => row.configuration.endsWith(` · ${row.filesystem}`)));
  });

  it('inlines one row per cell and measured phase, phases in life-cycle order then cells in summary order', () => {
    const rows = phaseMedianRows(summary);
    const expected = LIFECYCLE_PHASES.flatMap((phase) =>
      summary.cells.filter((c) => c.phases[phase]).map((c) => `${phase}:${c.runtime}/${c.filesystem}`),
    );
    assert.deepEqual(rows.map((r) => `${r.phase}:${r.runtime}/${r.filesystem}`), expected);
    assert.equal(rows.length, 30);
    assert.deepEqual(spec.data.values, rows);
  });

  it('carries each median with the interval around it', () => {
    const first = phaseMedianRows(summary)[0];
    const stats = summary.cells[0]?.phases.create;
    assert.deepEqual([first?.medianMs, first?.ciLowMs, first?.ciHighMs], [stats?.medianMs, stats?.ciLowMs, stats?.ciHighMs]);
  });

  it('draws the analyse stage’s own golden summary too, whatever fields it has yet', () => {
    const golden = phaseMedianChart(loadSummaryFixture());
    assert.ok(golden.length > 0);
    for (const piece of golden) assert.deepEqual(warningsOf(piece.spec), []);
  });

  it('makes no figure without cells', () => {
    assert.deepEqual(phaseMedianChart({ ...summary, cells: [] }), []);
  });
});
