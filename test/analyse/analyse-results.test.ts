import { strict as assert } from 'node:assert';
import { analyseResults } from '../../pipeline/analyse/analyse-results.ts';
import type { Cell, LifecyclePhase, Manifest, Sample, SetupStep } from '../../pipeline/types.ts';
import { expectGolden } from '../fixtures/golden/expect-golden.ts';
import { loadResultsFixture } from '../fixtures/results/load-fixture.ts';

function cell(runtime: string, filesystem: string, extra: Partial<Cell> = {}): Cell {
  return {
    id: `${runtime}-${filesystem}`,
    groupId: filesystem,
    runtime,
    storageDriver: 'bundle',
    filesystem,
    image: 'busybox',
    workload: 'true',
    concurrency: 1,
    feasible: true,
    ...extra,
  };
}

function manifestOf(cells: Cell[], seed = 1): Manifest {
  const { manifest } = loadResultsFixture();
  return { ...manifest, matrix: { ...manifest.matrix, name: 'test', seed }, cells };
}

function sample(
  of: Cell,
  phase: LifecyclePhase | SetupStep,
  durationMs: number,
  options: { rep?: number; warmup?: boolean; error?: string } = {},
): Sample {
  return {
    schemaVersion: 1,
    cellId: of.id,
    groupId: of.groupId,
    runtime: of.runtime,
    storageDriver: of.storageDriver,
    filesystem: of.filesystem,
    image: of.image,
    workload: of.workload,
    concurrency: of.concurrency,
    phase,
    rep: options.rep ?? 0,
    warmup: options.warmup ?? false,
    durationMs,
    ok: options.error === undefined,
    ...(options.error === undefined ? {} : { error: options.error }),
    startedAt: '2025-01-01T00:00:00.000Z',
  };
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

  it('says so when a feasible cell recorded nothing at all', () => {
    const summary = analyseResults({ manifest: manifestOf([runc]), samples: [], setAsideLines: 0 });
    assert.deepEqual(summary.failed, [{ cellId: 'runc-ext4', error: 'no measured sample was recorded' }]);
  });

  it('passes through the matrix name, the seed and the set-aside line count', () => {
    const summary = analyseResults({ manifest: manifestOf([runc], 99), samples: [sample(runc, 'create', 1)], setAsideLines: 3 });
    assert.deepEqual([summary.schemaVersion, summary.matrixName, summary.seed, summary.setAsideLines], [1, 'test', 99, 3]);
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
      const execute = summary.cells.find((c) => c.cellId === 'crun-bundle-xfs-busybox-true-c1')?.phases.execute;
      assert.deepEqual([execute?.n, execute?.errors], [19, 1]);
      assert.ok((execute?.maxMs ?? Infinity) < 1000);
    });

    it('does not count the failed warm-up of runc on ext4', () => {
      assert.deepEqual([summary.cells[0]?.phases.launch?.n, summary.cells[0]?.phases.launch?.errors], [20, 0]);
    });

    it('lists both zfs cells as skipped and runc on btrfs as failed at mount', () => {
      assert.deepEqual(summary.skipped.map((s) => s.cellId), ['runc-bundle-zfs-busybox-true-c1', 'crun-bundle-zfs-busybox-true-c1']);
      assert.equal(summary.failed.length, 1);
      assert.equal(summary.failed[0]?.cellId, 'runc-bundle-btrfs-busybox-true-c1');
      assert.match(summary.failed[0]?.error ?? '', /^mount: .*wrong fs type/);
    });

    it('carries the torn last line as one set-aside line', () => {
      assert.equal(summary.setAsideLines, 1);
    });
  });
});
