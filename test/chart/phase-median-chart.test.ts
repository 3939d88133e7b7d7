import { strict as assert } from 'node:assert';
import { compile, type TopLevelSpec } from 'vega-lite';
import { phaseMedianChart, phaseMedianRows } from '../../pipeline/chart/phase-median-chart.ts';
import { LIFECYCLE_PHASES, type Summary } from '../../pipeline/types.ts';
import { expectGolden } from '../fixtures/golden/expect-golden.ts';
import { loadSummaryFixture } from '../fixtures/results/load-fixture.ts';

/** Compiles with a logger that keeps every warning, so a test can assert there are none. */
function compileCollectingWarnings(spec: TopLevelSpec): unknown[][] {
  const warnings: unknown[][] = [];
  let level = 0;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: unknown[]) {
      warnings.push(['error', ...args]);
      return logger;
    },
    warn(...args: unknown[]) {
      warnings.push(args);
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  compile(spec, { logger } as Parameters<typeof compile>[1]);
  return warnings;
}

/** The fixture summary with the image axis varied: runc on ext4 with a second image. */
function summaryWithTwoImages(summary: Summary): Summary {
  const first = summary.cells[0];
  assert.ok(first);
  return { ...summary, cells: [...summary.cells, { ...first, cellId: `${first.cellId}-python`, image: 'python' }] };
}

describe('phaseMedianChart()', () => {
  const summary = loadSummaryFixture();
  const spec = phaseMedianChart(summary);

  it('matches the golden spec (UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden('phase-medians.vl.json', `${JSON.stringify(spec, null, 2)}\n`);
  });

  it('compiles with vega-lite without a warning', () => {
    assert.deepEqual(compileCollectingWarnings(spec), []);
  });

  it('compiles without a warning when a second variant adds a row of panels', () => {
    const varied = phaseMedianChart(summaryWithTwoImages(summary));
    assert.deepEqual(compileCollectingWarnings(varied), []);
    assert.ok('facet' in varied && varied.facet && 'row' in varied.facet);
  });

  it('has no row of panels when cells differ only in runtime and filesystem', () => {
    assert.ok('facet' in spec && spec.facet && !('row' in spec.facet));
  });

  it('orders the phase panels as the life cycle runs, not alphabetically', () => {
    assert.ok('facet' in spec && spec.facet && 'column' in spec.facet);
    assert.deepEqual((spec.facet.column as { sort: unknown }).sort, [...LIFECYCLE_PHASES]);
  });

  it('gives each phase its own y scale', () => {
    assert.deepEqual(spec.resolve, { scale: { y: 'independent' } });
  });

  it('sets a font family and a fixed panel width', () => {
    assert.match(String(spec.config?.font), /sans-serif/);
    assert.ok('spec' in spec && 'width' in spec.spec && typeof spec.spec.width === 'number');
  });

  it('inlines one row per cell and measured phase, phases in life-cycle order then cells in summary order', () => {
    const rows = phaseMedianRows(summary);
    const expected = LIFECYCLE_PHASES.flatMap((phase) =>
      summary.cells.filter((c) => c.phases[phase]).map((c) => `${phase}:${c.runtime}/${c.filesystem}`),
    );
    assert.deepEqual(rows.map((r) => `${r.phase}:${r.runtime}/${r.filesystem}`), expected);
    assert.equal(rows.length, 25);
    assert.deepEqual('data' in spec && spec.data && 'values' in spec.data ? spec.data.values : undefined, rows);
  });

  it('carries each median with the interval around it', () => {
    const first = phaseMedianRows(summary)[0];
    const stats = summary.cells[0]?.phases.create;
    assert.deepEqual([first?.medianMs, first?.ciLowMs, first?.ciHighMs], [stats?.medianMs, stats?.ciLowMs, stats?.ciHighMs]);
  });
});
