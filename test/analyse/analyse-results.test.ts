import { strict as assert } from 'node:assert';
import { analyseResults } from '../../pipeline/analyse/analyse-results.ts';
import type { Cell, LifecyclePhase, Manifest, Sample, SetupStep, Summary } from '../../pipeline/types.ts';
import { expectGolden } from '../fixtures/golden/expect-golden.ts';
import { loadResultsFixture } from '../fixtures/results/load-fixture.ts';
import { phaseSample, sampleOf, type SampleOptions } from '../fixtures/results/make-sample.ts';

function cell(runtime: string, filesystem: string, extra: Partial<Cell> = {}): Cell {
  return {
    id: `${runtime}-${filesystem}`,
    groupId: filesystem,
    runtime,
    storageDriver: 'bundle',
    filesystem,
    image: 'busybox',
    workload: 'true',
    lifecycle: 'exec',
    netns: 'fresh',
    cgroup: 'fresh',
    concurrency: 1,
    feasible: true,
    ...extra,
  };
}

function manifestOf(cells: Cell[], seed = 1): Manifest {
  const { manifest } = loadResultsFixture();
  return { ...manifest, matrix: { ...manifest.matrix, name: 'test', seed }, cells };
}

function sample(of: Cell, phase: LifecyclePhase | SetupStep, durationMs: number, options: SampleOptions = {}): Sample {
  return sampleOf(of, phase, durationMs, options);
}

const runc = cell('runc', 'ext4');
const crun = cell('crun', 'ext4');

describe('analyseResults()', () => {
  it('leaves warm-up samples out of the statistics', () => {
    const summary = analyseResults({
      manifest: manifestOf([runc]),
      samples: [sample(runc, 'create', 500, { warmup: true }), sample(runc, 'create', 10), sample(runc, 'create', 20)],
      setAsideLines: 0,
    });
    assert.equal(summary.cells[0]?.phases.create?.n, 2);
    assert.equal(summary.cells[0]?.phases.create?.maxMs, 20);
  });

  it('counts failed measured samples as errors and keeps their durations out of the statistics', () => {
    const summary = analyseResults({
      manifest: manifestOf([runc]),
      samples: [
        sample(runc, 'execute', 10),
        sample(runc, 'execute', 30000, { error: 'execute timed out after 30000 ms' }),
        sample(runc, 'execute', 12),
        sample(runc, 'execute', 1, { warmup: true, error: 'warm-up failure' }),
      ],
      setAsideLines: 0,
    });
    const execute = summary.cells[0]?.phases.execute;
    assert.deepEqual([execute?.n, execute?.errors, execute?.maxMs, execute?.medianMs], [2, 1, 12, 11]);
  });

  it('ignores the setup steps, which are not life-cycle phases', () => {
    const summary = analyseResults({
      manifest: manifestOf([runc]),
      samples: [sample(runc, 'provision-volume', 400), sample(runc, 'import-image', 90), sample(runc, 'create', 10)],
      setAsideLines: 0,
    });
    assert.deepEqual(Object.keys(summary.cells[0]?.phases ?? {}), ['create']);
    assert.equal(summary.cells[0]?.totalMedianMs, 10);
  });

  it('lists cells in manifest order and phases in life-cycle order, whatever the sample order', () => {
    const summary = analyseResults({
      manifest: manifestOf([runc, crun]),
      samples: [
        sample(crun, 'clean', 4),
        sample(crun, 'create', 12),
        sample(runc, 'stop', 3),
        sample(runc, 'launch', 7),
        sample(runc, 'create', 24),
      ],
      setAsideLines: 0,
    });
    assert.deepEqual(summary.cells.map((c) => c.cellId), ['runc-ext4', 'crun-ext4']);
    assert.deepEqual(Object.keys(summary.cells[0]?.phases ?? {}), ['create', 'launch', 'stop']);
    assert.deepEqual(Object.keys(summary.cells[1]?.phases ?? {}), ['create', 'clean']);
  });

  it('sums the medians of the phases present into totalMedianMs', () => {
    const summary = analyseResults({
      manifest: manifestOf([runc]),
      samples: [
        sample(runc, 'create', 20),
        sample(runc, 'create', 30),
        sample(runc, 'launch', 7),
        sample(runc, 'clean', 9),
        sample(runc, 'stop', 1, { error: 'kill failed' }),
      ],
      setAsideLines: 0,
    });
    assert.equal(summary.cells[0]?.totalMedianMs, 25 + 7 + 9);
    assert.equal(summary.cells[0]?.phases.stop, undefined);
  });

  it('lists infeasible cells as skipped, with the plan’s reason', () => {
    const zfs = cell('runc', 'zfs', { feasible: false, skipReason: 'zfs is not in /proc/filesystems' });
    const summary = analyseResults({ manifest: manifestOf([runc, zfs]), samples: [sample(runc, 'create', 10)], setAsideLines: 0 });
    assert.deepEqual(summary.skipped, [{ cellId: 'runc-zfs', reason: 'zfs is not in /proc/filesystems' }]);
    assert.deepEqual(summary.cells.map((c) => c.cellId), ['runc-ext4']);
  });

  it('lists a feasible cell without a successful measured sample as failed, with its first error', () => {
    const summary = analyseResults({
      manifest: manifestOf([runc, crun]),
      samples: [
        sample(runc, 'create', 10),
        sample(crun, 'create', 1, { warmup: true }),
        sample(crun, 'create', 2, { error: 'cgroups in hybrid mode not supported' }),
        sample(crun, 'create', 2, { error: 'second error' }),
      ],
      setAsideLines: 0,
    });
    assert.deepEqual(summary.failed, [{ cellId: 'crun-ext4', error: 'cgroups in hybrid mode not supported' }]);
    assert.deepEqual(summary.cells.map((c) => c.cellId), ['runc-ext4']);
  });

  it('reports a failed setup step as the error of a cell that never reached a phase', () => {
    const summary = analyseResults({
      manifest: manifestOf([runc]),
      samples: [sample(runc, 'provision-volume', 400, { error: 'mount: wrong fs type' })],
      setAsideLines: 0,
    });
    assert.deepEqual(summary.failed, [{ cellId: 'runc-ext4', error: 'mount: wrong fs type' }]);
  });

  it('finds the error of a group’s setup step, recorded once with the group id as cellId, for each cell of the group', () => {
    const groupSample = sample(runc, 'provision-volume', 400, { error: 'mkfs.ext4: no space left' });
    assert.equal(groupSample.cellId, runc.groupId);
    const summary = analyseResults({ manifest: manifestOf([runc, crun]), samples: [groupSample], setAsideLines: 0 });
    assert.deepEqual(summary.failed, [
      { cellId: 'runc-ext4', error: 'mkfs.ext4: no space left' },
      { cellId: 'crun-ext4', error: 'mkfs.ext4: no space left' },
    ]);
  });

  it('blames a failed image import only on the cells of that image', () => {
    const other = cell('runc', 'ext4', { id: 'runc-ext4-grader', image: 'grader' });
    const importFailed = sample(other, 'import-image', 40, { error: 'grader.tar: not found' });
    const summary = analyseResults({
      manifest: manifestOf([runc, other]),
      samples: [importFailed, sample(runc, 'create', 10)],
      setAsideLines: 0,
    });
    assert.deepEqual(summary.failed, [{ cellId: 'runc-ext4-grader', error: 'grader.tar: not found' }]);
  });

  it('says so when a feasible cell recorded nothing at all', () => {
    const summary = analyseResults({ manifest: manifestOf([runc]), samples: [], setAsideLines: 0 });
    assert.deepEqual(summary.failed, [{ cellId: 'runc-ext4', error: 'no measured sample was recorded' }]);
  });

  it('passes through the matrix name, the seed and the set-aside line count', () => {
    const summary = analyseResults({ manifest: manifestOf([runc], 99), samples: [sample(runc, 'create', 1)], setAsideLines: 3 });
    assert.deepEqual([summary.schemaVersion, summary.matrixName, summary.seed, summary.setAsideLines], [1, 'test', 99, 3]);
  });

  it('adds the type-7 99th percentile and counts outliers (modified z-score > 3.5), keeping them in every statistic', () => {
    // Median 11, MAD 1: 50 has a modified z-score of 26.3, the rest at most 0.67.
    const values = [10, 10, 11, 11, 11, 12, 12, 50];
    const summary = analyseResults({
      manifest: manifestOf([runc]),
      samples: values.map((d, rep) => sample(runc, 'create', d, { rep })),
      setAsideLines: 0,
    });
    const create = summary.cells[0]?.phases.create;
    assert.equal(create?.outliers, 1);
    assert.equal(create?.n, 8);
    assert.equal(create?.maxMs, 50);
    assert.equal(create?.meanMs, 127 / 8);
    // h = 7 · 0.99 = 6.93: 12 + 0.93 · (50 − 12).
    assert.ok(Math.abs((create?.p99Ms ?? 0) - 47.34) < 1e-9);
  });

  it('states the bootstrap it used', () => {
    const summary = analyseResults({ manifest: manifestOf([runc]), samples: [sample(runc, 'create', 1)], setAsideLines: 0 });
    assert.deepEqual(summary.bootstrap, { resamples: 2000, confidence: 0.95 });
  });

  it('writes the summary’s fields in the order of the Summary type', () => {
    const summary = analyseResults({ manifest: manifestOf([runc]), samples: [sample(runc, 'create', 1)], setAsideLines: 0 });
    assert.deepEqual(Object.keys(summary), [
      'schemaVersion', 'matrixName', 'seed', 'bootstrap', 'comparisons', 'setup', 'cells', 'daemons', 'limits', 'skipped', 'failed', 'setAsideLines', 'sizeSlopes', 'skippedByReason',
    ]);
    assert.deepEqual(Object.keys(summary.cells[0]?.phases.create ?? {}), [
      'n', 'errors', 'medianMs', 'ciLowMs', 'ciHighMs', 'meanMs', 'stdDevMs', 'minMs', 'maxMs', 'p25Ms', 'p75Ms', 'p95Ms', 'p99Ms', 'outliers',
    ]);
    assert.deepEqual(Object.keys(summary.cells[0] ?? {}), [
      'cellId', 'runtime', 'storageDriver', 'filesystem', 'image', 'workload', 'lifecycle', 'netns', 'cgroup', 'concurrency', 'phases', 'totalMedianMs', 'steps',
    ]);
  });

  it('carries each cell\'s life-cycle shape and levers from the plan', () => {
    const command = cell('runc', 'ext4', { id: 'runc-ext4-command', lifecycle: 'command', netns: 'reused', cgroup: 'reused' });
    const summary = analyseResults({ manifest: manifestOf([runc, command]), samples: [sample(runc, 'create', 1), sample(command, 'create', 2)], setAsideLines: 0 });
    assert.deepEqual(summary.cells.map((c) => [c.cellId, c.lifecycle, c.netns, c.cgroup]), [
      ['runc-ext4', 'exec', 'fresh', 'fresh'],
      ['runc-ext4-command', 'command', 'reused', 'reused'],
    ]);
  });

  it('puts the median of each step on the cell, and the facts a probe found', () => {
    const steps = (copyMs: number) => [{ label: 'rootfs: cp -a', durationMs: copyMs }, { label: 'harness', durationMs: 0.1 }, { label: 'runc create', durationMs: 5 }];
    const samples = [
      ...[2, 4, 9].map((copyMs, rep) => phaseSample(runc, 'create', copyMs + 5.1, { rep, steps: steps(copyMs) })),
      phaseSample(runc, 'execute', 3, { facts: { seccomp: 2 } }),
    ];
    const [summarised] = analyseResults({ manifest: manifestOf([runc]), samples, setAsideLines: 0 }).cells;
    assert.deepEqual(summarised?.steps?.create, [{ label: 'rootfs: cp -a', durationMs: 4 }, { label: 'harness', durationMs: 0.1 }, { label: 'runc create', durationMs: 5 }]);
    assert.deepEqual(summarised?.facts, { seccomp: 2 });
  });

  describe('comparisons', () => {
    const repetitions = (of: Cell, scale: number, count = 12) =>
      Array.from({ length: count }, (_, rep) =>
        (['create', 'launch', 'execute', 'stop', 'clean'] as const).map((phase, i) => sample(of, phase, (i + 1) * scale * (1 + ((rep * 7) % 5) / 50), { rep })),
      ).flat();
    const runcXfs = cell('runc', 'xfs');

    it('compare cells that differ in one axis, baseline first in the matrix, each phase and the total', () => {
      const manifest = manifestOf([crun, runc, runcXfs]);
      manifest.matrix.axes = { ...manifest.matrix.axes, runtime: ['runc', 'crun'], filesystem: ['ext4', 'xfs'] };
      const summary = analyseResults({
        manifest,
        samples: [...repetitions(runc, 2), ...repetitions(crun, 1), ...repetitions(runcXfs, 2.2)],
        setAsideLines: 0,
      });
      assert.deepEqual(
        summary.comparisons.map((c) => `${c.axis} ${c.baselineCellId}→${c.candidateCellId} ${c.phase}`),
        [
          ...['create', 'launch', 'execute', 'stop', 'clean', 'total'].map((p) => `runtime runc-ext4→crun-ext4 ${p}`),
          ...['create', 'launch', 'execute', 'stop', 'clean', 'total'].map((p) => `filesystem runc-ext4→runc-xfs ${p}`),
        ],
      );
      const total = summary.comparisons.find((c) => c.axis === 'runtime' && c.phase === 'total');
      assert.equal(total?.ratio, 0.5);
      assert.equal(total?.significant, true);
      assert.equal(total?.effectSize, -1);
    });

    it('of a pair do not change when another cell is added, each cell drawing its own stream (only the family-wide Holm adjustment does)', () => {
      const manifest = manifestOf([runc, crun]);
      const alone = analyseResults({ manifest, samples: [...repetitions(runc, 2), ...repetitions(crun, 1)], setAsideLines: 0 });
      const withOther = analyseResults({
        manifest: manifestOf([runcXfs, runc, crun]),
        samples: [...repetitions(runcXfs, 3), ...repetitions(runc, 2), ...repetitions(crun, 1)],
        setAsideLines: 0,
      });
      const unadjusted = ({ pAdjusted: _p, significant: _s, ...rest }: Summary['comparisons'][number]) => rest;
      assert.deepEqual(
        withOther.comparisons.filter((c) => c.axis === 'runtime').map(unadjusted),
        alone.comparisons.map(unadjusted),
      );
      assert.ok(withOther.comparisons[0]!.pAdjusted >= alone.comparisons[0]!.pAdjusted, 'a larger family never adjusts less');
    });
  });

  describe('bootstrap intervals', () => {
    const durations = [12.1, 11.8, 12.6, 11.9, 13.4, 12.2, 11.7, 12.9, 12.0, 12.4];
    const samplesOf = (of: Cell) => durations.map((d, rep) => sample(of, 'create', d, { rep }));

    it('contain the median of each phase', () => {
      const stats = analyseResults({ manifest: manifestOf([runc]), samples: samplesOf(runc), setAsideLines: 0 }).cells[0]?.phases.create;
      assert.ok(stats && stats.ciLowMs <= stats.medianMs && stats.medianMs <= stats.ciHighMs);
    });

    it('are identical for the same seed and differ for another', () => {
      const ci = (seed: number) => {
        const stats = analyseResults({ manifest: manifestOf([runc], seed), samples: samplesOf(runc), setAsideLines: 0 }).cells[0]?.phases.create;
        return [stats?.ciLowMs, stats?.ciHighMs];
      };
      assert.deepEqual(ci(1), ci(1));
      assert.notDeepEqual(ci(1), ci(2));
    });

    it('of one cell do not change when another cell is added before it', () => {
      const alone = analyseResults({ manifest: manifestOf([runc]), samples: samplesOf(runc), setAsideLines: 0 });
      const withOther = analyseResults({
        manifest: manifestOf([crun, runc]),
        samples: [...samplesOf(crun), ...samplesOf(runc)],
        setAsideLines: 0,
      });
      assert.deepEqual(withOther.cells[1], alone.cells[0]);
    });

    it('differ between two cells with the same data, each drawing its own stream', () => {
      const summary = analyseResults({ manifest: manifestOf([runc, crun]), samples: [...samplesOf(runc), ...samplesOf(crun)], setAsideLines: 0 });
      const [a, b] = summary.cells.map((c) => c.phases.create);
      assert.equal(a?.medianMs, b?.medianMs);
      assert.notDeepEqual([a?.ciLowMs, a?.ciHighMs], [b?.ciLowMs, b?.ciHighMs]);
    });
  });

  describe('on the fixture results folder', () => {
    const input = loadResultsFixture();
    const summary = analyseResults(input);

    it('gives byte-identical JSON on every call, pinned by a golden file', () => {
      const json = `${JSON.stringify(summary, null, 2)}\n`;
      assert.equal(`${JSON.stringify(analyseResults(loadResultsFixture()), null, 2)}\n`, json);
      expectGolden('summary.json', json);
    });

    it('summarises the five measured cells with 20 repetitions each', () => {
      assert.deepEqual(
        summary.cells.map((c) => `${c.runtime}/${c.filesystem}`),
        ['runc/ext4', 'runc/xfs', 'crun/ext4', 'crun/xfs', 'crun/btrfs'],
      );
      assert.equal(summary.cells[0]?.phases.create?.n, 20);
    });

    it('counts the timed-out execute of crun on xfs as an error, n = 19', () => {
      const execute = summary.cells.find((c) => c.cellId === 'crun.bundle.xfs.busybox.true.exec.c1')?.phases.execute;
      assert.deepEqual([execute?.n, execute?.errors], [19, 1]);
      assert.ok((execute?.maxMs ?? Infinity) < 1000);
    });

    it('does not count the failed warm-up of runc on ext4', () => {
      assert.deepEqual([summary.cells[0]?.phases.launch?.n, summary.cells[0]?.phases.launch?.errors], [20, 0]);
    });

    it('lists both zfs cells as skipped and runc on btrfs as failed at mount', () => {
      assert.deepEqual(summary.skipped.map((s) => s.cellId), ['runc.bundle.zfs.busybox.true.exec.c1', 'crun.bundle.zfs.busybox.true.exec.c1']);
      assert.equal(summary.failed.length, 1);
      assert.equal(summary.failed[0]?.cellId, 'runc.bundle.btrfs.busybox.true.exec.c1');
      assert.match(summary.failed[0]?.error ?? '', /^mount: .*wrong fs type/);
    });

    it('carries the torn last line as one set-aside line', () => {
      assert.equal(summary.setAsideLines, 1);
    });

    it('gives the setup steps of the five groups that provisioned, in manifest order, runc on btrfs (mount failed) left out', () => {
      assert.deepEqual(
        [...new Set(summary.setup.map((s) => s.groupId))],
        ['runc.bundle.ext4', 'runc.bundle.xfs', 'crun.bundle.ext4', 'crun.bundle.xfs', 'crun.bundle.btrfs'],
      );
      assert.deepEqual(summary.setup.slice(0, 3).map((s) => [s.step, s.image, s.n]), [
        ['provision-volume', '-', 1],
        ['start-runtime', '-', 1],
        ['import-image', 'busybox', 1],
      ]);
    });

    it('compares runc with crun on ext4 and xfs and the filesystems of each runtime: 6 pairs × (5 phases + total)', () => {
      assert.equal(summary.comparisons.length, 36);
      const pairs = [...new Set(summary.comparisons.map((c) => `${c.axis}: ${c.baselineValue} → ${c.candidateValue}`))];
      assert.deepEqual(pairs, ['runtime: runc → crun', 'filesystem: ext4 → xfs', 'filesystem: ext4 → btrfs', 'filesystem: xfs → btrfs']);
      assert.ok(summary.comparisons.filter((c) => c.axis === 'runtime').every((c) => c.significant && c.ratio < 0.55));
    });

    it('puts the generator’s true crun/runc ratio of create, 11.8/24.1 = 0.49, inside the ratio’s CI', () => {
      const create = summary.comparisons.find((c) => c.axis === 'runtime' && c.phase === 'create');
      const trueRatio = 11.8 / 24.1;
      assert.ok(create && create.ciLow < trueRatio && trueRatio < create.ciHigh, `[${create?.ciLow}, ${create?.ciHigh}]`);
    });

    it('gives the same comparisons for the same seed and other CIs, but the same ratios and p-values, for another', () => {
      const again = analyseResults(loadResultsFixture());
      assert.deepEqual(again.comparisons, summary.comparisons);
      const input = loadResultsFixture();
      const reseeded = analyseResults({ ...input, manifest: { ...input.manifest, matrix: { ...input.manifest.matrix, seed: 1 } } });
      assert.deepEqual(reseeded.comparisons.map((c) => [c.ratio, c.pValue, c.effectSize]), summary.comparisons.map((c) => [c.ratio, c.pValue, c.effectSize]));
      assert.notDeepEqual(reseeded.comparisons.map((c) => [c.ciLow, c.ciHigh]), summary.comparisons.map((c) => [c.ciLow, c.ciHigh]));
    });
  });
});
