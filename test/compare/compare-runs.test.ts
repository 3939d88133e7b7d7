import { strict as assert } from 'node:assert';
import { compareRuns, hasRegression, type RunResults } from '../../pipeline/compare/compare-runs.ts';
import { repetitionsToDetect } from '../../pipeline/compare/format-compare-report.ts';
import { formatCompareReport } from '../../pipeline/compare/format-compare-report.ts';
import { judgeChange } from '../../pipeline/compare/judge-change.ts';
import { loadMatrix } from '../../pipeline/load/load-matrix.ts';
import { expandAxes } from '../../pipeline/plan/expand-axes.ts';
import { SIGNIFICANCE_LEVEL } from '../../pipeline/statistics/significance.ts';
import { LIFECYCLE_PHASES, type Cell, type LifecyclePhase, type Sample } from '../../pipeline/types.ts';
import { loadResultsFixture } from '../fixtures/results/load-fixture.ts';
import { phaseSample } from '../fixtures/results/make-sample.ts';
import { syntheticDurations } from '../fixtures/results/synthetic-durations.ts';

function cell(id: string): Cell {
  return {
    id, groupId: `g-${id}`, runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop', lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh',
    concurrency: 1, feasible: true,
  };
}

/** Typical phase medians of runc on the Debian 12 host (ms). */
const PHASE_MEDIANS_MS: Record<LifecyclePhase, number> = { create: 24, launch: 7.5, execute: 19, stop: 3.3, clean: 9.7 };

/**
 * A synthetic run: `repetitions` repetitions of each cell, each phase log-normal around its
 * median (σ = 0.1, 3 % slow outliers) times `factor(phase)`, drawn from `seed`.
 */
function syntheticRun(
  cells: Cell[],
  seed: number,
  options: { repetitions?: number; factor?: (cellId: string, phase: LifecyclePhase) => number; sigma?: number } = {},
): RunResults {
  const { manifest } = loadResultsFixture();
  const repetitions = options.repetitions ?? 30;
  const samples: Sample[] = [];
  cells.forEach((of, c) =>
    LIFECYCLE_PHASES.forEach((phase, p) => {
      const factor = options.factor?.(of.id, phase) ?? 1;
      const durations = syntheticDurations(seed * 1000 + c * 10 + p, repetitions, PHASE_MEDIANS_MS[phase] * factor, {
        sigma: options.sigma ?? 0.1,
        outlierShare: 0.03,
      });
      durations.forEach((durationMs, rep) => samples.push(phaseSample(of, phase, durationMs, { rep, startedAt: '2025-11-20T00:00:00.000Z' })));
    }),
  );
  return { manifest: { ...manifest, cells }, samples };
}

const a = cell('a');
const b = cell('b');

/** The same run with every duration of the cells of `runtime` multiplied by `factor`. */
function slowerCopy(run: RunResults, runtime: string, factor: number): RunResults {
  const ofRuntime = new Set(run.manifest.cells.filter((c) => c.runtime === runtime).map((c) => c.id));
  return { ...run, samples: run.samples.map((s) => (ofRuntime.has(s.cellId) ? { ...s, durationMs: s.durationMs * factor } : s)) };
}

/** The cells of experiments/quick.yaml's axes (runtime, filesystem and life cycle vary), and its repetitions. */
async function quickMatrix(): Promise<{ cells: Cell[]; repetitions: number }> {
  const { matrix } = await loadMatrix('experiments/quick.yaml');
  const cells = expandAxes(matrix.axes).map((combination) => ({
    ...cell(`${combination.runtime}.${combination.filesystem}.${combination.lifecycle}`),
    runtime: combination.runtime,
  }));
  return { cells, repetitions: matrix.repetitions };
}

describe('compareRuns()', () => {
  describe('on synthetic runs, threshold 10 %', () => {
    const options = { thresholdPercent: 10, seed: 1 };

    it('passes pure noise: two draws of 30 from the same log-normal never count as a regression (20 pairs of draws)', () => {
      for (let draw = 1; draw <= 20; draw++) {
        const report = compareRuns(syntheticRun([a, b], 2 * draw), syntheticRun([a, b], 2 * draw + 1), options);
        assert.equal(hasRegression(report), false, `draw ${draw}: ${JSON.stringify(report.rows.filter((r) => r.verdict !== 'unchanged'))}`);
        assert.equal(report.counts.unchanged, 12, `draw ${draw}`);
      }
    });

    it('fails on a real 20 % slowdown of one phase, in each of 20 pairs of draws, and names that phase only', () => {
      const slower = (cellId: string, phase: LifecyclePhase) => (cellId === 'b' && phase === 'launch' ? 1.2 : 1);
      for (let draw = 1; draw <= 20; draw++) {
        const report = compareRuns(syntheticRun([a, b], 2 * draw), syntheticRun([a, b], 2 * draw + 1, { factor: slower }), options);
        assert.equal(hasRegression(report), true, `draw ${draw}`);
        const regressed = report.rows.filter((r) => r.verdict === 'regressed');
        assert.deepEqual(regressed.map((r) => `${r.cellId} ${r.phase}`), ['b launch'], `draw ${draw}`);
        assert.ok(regressed[0]!.ciLow! > 1 && regressed[0]!.pValue! < 0.05);
      }
    });

    it('reports a 20 % speed-up as improved, not as a regression', () => {
      const faster = (_cellId: string, phase: LifecyclePhase) => (phase === 'execute' ? 0.8 : 1);
      const report = compareRuns(syntheticRun([a], 2), syntheticRun([a], 3, { factor: faster }), options);
      assert.equal(hasRegression(report), false);
      assert.deepEqual(report.rows.filter((r) => r.verdict === 'improved').map((r) => r.phase), ['execute']);
    });

    it('calls a significant 4 % slowdown unchanged: real, but below the threshold', () => {
      const slightly = () => 1.04;
      const report = compareRuns(
        syntheticRun([a], 2, { repetitions: 200, sigma: 0.03 }),
        syntheticRun([a], 3, { repetitions: 200, sigma: 0.03, factor: slightly }),
        options,
      );
      const create = report.rows.find((r) => r.phase === 'create')!;
      assert.ok(create.pValue! < 0.05 && create.ciLow! > 1, `p ${create.pValue}, CI [${create.ciLow}, ${create.ciHigh}]`);
      assert.equal(create.verdict, 'unchanged');
      assert.equal(hasRegression(report), false);
    });

    it('compares the total of the five phases, repetition by repetition', () => {
      const slower = () => 1.25;
      const report = compareRuns(syntheticRun([a], 2), syntheticRun([a], 3, { factor: slower }), options);
      const total = report.rows.find((r) => r.phase === 'total')!;
      assert.equal(total.verdict, 'regressed');
      assert.deepEqual([total.baselineN, total.candidateN], [30, 30]);
    });
  });

  describe('rows too small to show a change', () => {
    const options = { thresholdPercent: 10, seed: 1 };
    const crun = { ...cell('c'), runtime: 'crun' as Cell['runtime'] };

    it('calls a copy of a 3-repetition run with runc 30 % slower "not testable at n = 3 vs 3", not unchanged, and finds no regression', () => {
      const baseline = syntheticRun([a, crun], 2, { repetitions: 3 });
      const report = compareRuns(baseline, slowerCopy(baseline, 'runc', 1.3), options);
      assert.equal(hasRegression(report), false);
      assert.deepEqual(report.counts, { regressed: 0, improved: 0, unchanged: 0, untestable: 12, missing: 0 });
      for (const row of report.rows) {
        assert.equal(row.minPValue, 0.1);
        assert.equal(row.detectable, false);
      }
      assert.deepEqual([...new Set(report.rows.filter((r) => r.cellId === 'a').map((r) => r.ratio!.toFixed(3)))], ['1.300']);

      const text = formatCompareReport(report);
      assert.match(text, /\na\s+launch\s+3\/3\s+.*\s1\.300\s.*not testable at n = 3 vs 3\n/);
      assert.match(text, /\nc\s+launch\s+3\/3\s+.*\s1\.000\s.*not testable at n = 3 vs 3\n/);
      assert.ok(!text.includes('no metric changed'), text);
      assert.match(text, /\n0 regressed, 0 improved, 0 unchanged, 12 not testable, 0 missing \(/);
      assert.match(text, /\nthis comparison could not detect a change at n = 3 vs 3 \(6 rows moved beyond ±10% unseen\): .*smallest reachable Mann-Whitney p: 0\.1000 at 3 vs 3/);
    });

    it('detects the same 30 % slowdown at 8 repetitions: runc regressed, crun unchanged, nothing untestable (exit 3)', () => {
      const baseline = syntheticRun([a, crun], 2, { repetitions: 8 });
      const report = compareRuns(baseline, slowerCopy(baseline, 'runc', 1.3), options);
      assert.equal(hasRegression(report), true);
      assert.equal(report.counts.untestable, 0);
      assert.ok(report.rows.every((r) => r.detectable === true && r.minAdjustedPValue! < SIGNIFICANCE_LEVEL));
      assert.deepEqual([...new Set(report.rows.filter((r) => r.verdict === 'regressed').map((r) => r.cellId))], ['a']);
      assert.deepEqual(report.rows.filter((r) => r.cellId === 'c').map((r) => r.verdict), Array(6).fill('unchanged'));
    });

    it('names only the small rows when the runs mix sizes, and says how many of them moved beyond the threshold', () => {
      const baseline = syntheticRun([a], 2, { repetitions: 20 });
      const small = syntheticRun([crun], 3, { repetitions: 3 });
      const both: RunResults = { manifest: { ...baseline.manifest, cells: [a, crun] }, samples: [...baseline.samples, ...small.samples] };
      const report = compareRuns(both, slowerCopy(both, 'crun', 1.3), options);
      assert.deepEqual(report.rows.filter((r) => r.verdict === 'untestable').map((r) => r.cellId), Array(6).fill('c'));
      assert.deepEqual(report.rows.filter((r) => r.cellId === 'a').map((r) => r.verdict), Array(6).fill('unchanged'));
      const text = formatCompareReport(report);
      assert.match(text, /\n6 rows were not testable at n = 3 vs 3 \(6 of them moved beyond ±10% undetectably; /);
      assert.match(text, /\n0 regressed, 0 improved, 6 unchanged, 6 not testable, 0 missing /);
    });

    it('judges the Holm-adjusted floor: 5 against 5 reaches p = 0.0079 alone, but not 0.05 over 12 rows', () => {
      const baseline = syntheticRun([a, crun], 2, { repetitions: 5 });
      const report = compareRuns(baseline, slowerCopy(baseline, 'runc', 1.3), options);
      assert.ok(report.rows.every((r) => r.minPValue! < SIGNIFICANCE_LEVEL && r.minAdjustedPValue! >= SIGNIFICANCE_LEVEL));
      assert.equal(report.counts.untestable, 12);
      assert.match(formatCompareReport(report), /; 6 repetitions a side would let every row show a change; not testable is not unchanged\n$/);
    });

    it('keeps the repetitions of experiments/quick.yaml enough to see a 30 % slowdown of one runtime in every one of its cells', async () => {
      const { cells, repetitions } = await quickMatrix();
      assert.equal(cells.length, 12);
      const rowsCompared = cells.length * 6;
      assert.ok(repetitionsToDetect(rowsCompared, SIGNIFICANCE_LEVEL)! <= repetitions, `${repetitions} repetitions`);
      const baseline = syntheticRun(cells, 4, { repetitions });
      const report = compareRuns(baseline, slowerCopy(baseline, 'runc', 1.3), options);
      assert.equal(report.counts.untestable, 0);
      assert.equal(hasRegression(report), true);
      const regressedCells = new Set(report.rows.filter((r) => r.verdict === 'regressed').map((r) => r.cellId));
      assert.deepEqual([...regressedCells], cells.filter((c) => c.runtime === 'runc').map((c) => c.id));
    });
  });

  describe('cells on one side only', () => {
    it('reports a cell the candidate lacks as missing in the candidate, and one only the candidate has as missing in the baseline', () => {
      const c = cell('c');
      const report = compareRuns(syntheticRun([a, b], 2), syntheticRun([a, c], 3), { thresholdPercent: 10, seed: 1 });
      // Cells: the baseline's order, then the candidate's own.
      assert.deepEqual([...new Set(report.rows.map((r) => r.cellId))], ['a', 'b', 'c']);
      const missing = report.rows.filter((r) => r.verdict === 'missing');
      assert.deepEqual(
        [...new Set(missing.map((r) => `${r.cellId} missing in ${r.missingIn}`))],
        ['b missing in candidate', 'c missing in baseline'],
      );
      assert.equal(missing.length, 12);
      const row = missing[0]!;
      assert.deepEqual([row.baselineN, row.candidateN, row.candidateMedianMs, row.ratio, row.pValue], [30, 0, null, null, null]);
      assert.equal(report.counts.missing, 12);
      assert.equal(hasRegression(report), false);
    });

    it('calls a phase with a single successful sample on a side missing, since one value cannot be compared', () => {
      const candidate = syntheticRun([a], 3);
      candidate.samples = candidate.samples.filter((s) => s.phase !== 'stop' || s.rep === 0);
      const report = compareRuns(syntheticRun([a], 2), candidate, { thresholdPercent: 10, seed: 1 });
      const stop = report.rows.find((r) => r.phase === 'stop')!;
      assert.deepEqual([stop.verdict, stop.missingIn, stop.candidateN], ['missing', 'candidate', 1]);
      // Repetitions without a stop are no complete life cycle either.
      assert.equal(report.rows.find((r) => r.phase === 'total')?.missingIn, 'candidate');
    });

    it('gives no row for a cell neither run measured (skipped on both hosts)', () => {
      const skipped: Cell = { ...cell('zfs'), feasible: false, skipReason: 'no zfs' };
      const baseline = syntheticRun([a], 2);
      const candidate = syntheticRun([a], 3);
      baseline.manifest.cells.push(skipped);
      candidate.manifest.cells.push(skipped);
      const report = compareRuns(baseline, candidate, { thresholdPercent: 10, seed: 1 });
      assert.ok(report.rows.every((r) => r.cellId === 'a'));
    });
  });

  it('gives an identical report for the same seed and other CIs (same ratios and p-values) for another', () => {
    const baseline = syntheticRun([a], 2);
    const candidate = syntheticRun([a], 3);
    const once = compareRuns(baseline, candidate, { thresholdPercent: 10, seed: 1 });
    assert.deepEqual(compareRuns(baseline, candidate, { thresholdPercent: 10, seed: 1 }), once);
    const other = compareRuns(baseline, candidate, { thresholdPercent: 10, seed: 2 });
    assert.deepEqual(other.rows.map((r) => [r.ratio, r.pValue]), once.rows.map((r) => [r.ratio, r.pValue]));
    assert.notDeepEqual(other.rows.map((r) => [r.ciLow, r.ciHigh]), once.rows.map((r) => [r.ciLow, r.ciHigh]));
  });

  it('resamples the two sides independently although they share cell ids: identical data gives a CI around 1, not [1, 1]', () => {
    const run = syntheticRun([a], 2);
    const report = compareRuns(run, run, { thresholdPercent: 10, seed: 1 });
    for (const row of report.rows) {
      assert.equal(row.ratio, 1);
      assert.ok(row.ciLow! < 1 && row.ciHigh! > 1, `${row.phase}: [${row.ciLow}, ${row.ciHigh}]`);
      assert.equal(row.verdict, 'unchanged');
    }
  });

  it('lists host facts and tool versions that differ between the runs', () => {
    const baseline = syntheticRun([a], 2);
    const candidate = syntheticRun([a], 3);
    candidate.manifest = {
      ...candidate.manifest,
      host: { ...candidate.manifest.host, kernel: '6.1.0-30-amd64' },
      toolVersions: { ...candidate.manifest.toolVersions, runc: 'runc version 1.1.12' },
    };
    const report = compareRuns(baseline, candidate, { thresholdPercent: 10, seed: 1 });
    assert.deepEqual(report.differences, [
      'host.kernel: 6.1.0-28-amd64 → 6.1.0-30-amd64',
      'toolVersions.runc: runc version 1.1.5+ds1 → runc version 1.1.12',
    ]);
    assert.deepEqual(compareRuns(baseline, syntheticRun([a], 3), { thresholdPercent: 10, seed: 1 }).differences, []);
  });

  it('refuses a negative or non-finite threshold', () => {
    const run = syntheticRun([a], 2);
    assert.throws(() => compareRuns(run, run, { thresholdPercent: -5, seed: 1 }), RangeError);
    assert.throws(() => compareRuns(run, run, { thresholdPercent: Number.NaN, seed: 1 }), RangeError);
  });

  it('compares the fixture run with itself as unchanged throughout, runc on btrfs (failed) and zfs (skipped) absent', () => {
    const fixture = loadResultsFixture();
    const report = compareRuns(fixture, fixture, { thresholdPercent: 10, seed: 20251120 });
    assert.equal(report.rows.length, 5 * 6);
    assert.deepEqual(report.counts, { regressed: 0, improved: 0, unchanged: 30, untestable: 0, missing: 0 });
  });
});

describe('judgeChange()', () => {
  it('needs significance and a ratio beyond the threshold, either way', () => {
    assert.equal(judgeChange({ ratio: 1.2, significant: true }, 10), 'regressed');
    assert.equal(judgeChange({ ratio: 0.8, significant: true }, 10), 'improved');
    assert.equal(judgeChange({ ratio: 1.2, significant: false }, 10), 'unchanged');
    assert.equal(judgeChange({ ratio: 1.05, significant: true }, 10), 'unchanged');
    assert.equal(judgeChange({ ratio: 0.95, significant: true }, 10), 'unchanged');
  });

  it('is strict at the threshold: exactly +10 % is not a regression at 10 %', () => {
    assert.equal(judgeChange({ ratio: 1.1, significant: true }, 10), 'unchanged');
    assert.equal(judgeChange({ ratio: 1.1000001, significant: true }, 10), 'regressed');
  });

  it('calls a row that is not significant and could not have been untestable, not unchanged', () => {
    assert.equal(judgeChange({ ratio: 1.3, significant: false, detectable: false }, 10), 'untestable');
    assert.equal(judgeChange({ ratio: 1.3, significant: false, detectable: true }, 10), 'unchanged');
    assert.equal(judgeChange({ ratio: 1.3, significant: true, detectable: false }, 10), 'regressed');
  });

  it('with threshold 0 flags every significant change', () => {
    assert.equal(judgeChange({ ratio: 1.01, significant: true }, 0), 'regressed');
    assert.equal(judgeChange({ ratio: 0.99, significant: true }, 0), 'improved');
  });
});
