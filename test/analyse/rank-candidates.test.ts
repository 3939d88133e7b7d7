import { strict as assert } from 'node:assert';
import { buildDurationSeries, type DurationSeries } from '../../pipeline/analyse/compare-series.ts';
import { buildHeadline, classOf, rankCandidates } from '../../pipeline/analyse/rank-candidates.ts';
import { deriveSeed } from '../../pipeline/statistics/seeded-random.ts';
import type { Cell, CellSummary, LimitSummary, Manifest } from '../../pipeline/types.ts';
import { loadResultsFixture } from '../fixtures/results/load-fixture.ts';

const reference = { workload: 'grade-python', image: 'grader', concurrency: 1 };

function planned(runtime: string, storageDriver: string, extra: Partial<Cell> = {}): Cell {
  const cell: Cell = {
    id: '',
    groupId: runtime,
    runtime,
    storageDriver,
    filesystem: 'ext4',
    image: 'grader',
    workload: 'grade-python',
    lifecycle: 'command',
    netns: 'fresh',
    cgroup: 'fresh',
    concurrency: 1,
    feasible: true,
    ...extra,
  };
  return { ...cell, id: [cell.runtime, cell.storageDriver, cell.filesystem, cell.workload, cell.lifecycle].join('.') };
}

function summaryOf(cell: Cell, extra: Partial<CellSummary> = {}): CellSummary {
  const { id, runtime, storageDriver, filesystem, image, workload, lifecycle, netns, cgroup, concurrency } = cell;
  return { cellId: id, runtime, storageDriver, filesystem, image, workload, lifecycle, netns, cgroup, concurrency, phases: {}, totalMedianMs: 0, ...extra };
}

function limitsHeld(runtime: string): LimitSummary[] {
  return (['memory', 'pids', 'network'] as const).map((limit) => ({ runtime, storageDriver: 'any', filesystem: 'ext4', limit, verdict: 'enforced', evidence: '', n: 3 }));
}

const secure = { seccomp: 2, noNewPrivs: 1, capEff: '00000000a80425fb', userNamespace: false };

function setting(totals: Record<string, number>, cells: Cell[], extraSummaries: CellSummary[] = []) {
  const { manifest } = loadResultsFixture();
  const m: Manifest = { ...manifest, matrix: { ...manifest.matrix, referenceWorkload: reference }, cells };
  const series = new Map<string, DurationSeries>(
    Object.entries(totals).map(([id, ms]) => [id, buildDurationSeries([ms * 0.98, ms, ms * 1.02, ms * 1.01, ms * 0.99], { seed: deriveSeed(3, id), resamples: 300 })]),
  );
  const summaries = [...cells.filter((cell) => cell.feasible && series.has(cell.id)).map((cell) => summaryOf(cell)), ...extraSummaries];
  return { manifest: m, cells: summaries, totalSeriesOf: (id: string) => series.get(id) };
}

describe('rankCandidates()', () => {
  const runcCopy = planned('runc', 'copy');
  const runcOverlay = planned('runc', 'overlay');
  const crun = planned('crun', 'overlay');
  const docker = planned('docker', 'overlay2');
  const lxd = planned('lxd', 'dir', { feasible: false, skipReason: 'life-cycle shape command does not work with runtime lxd', skipByDesign: true });
  const probe = (runtime: string) => summaryOf(planned(runtime, 'overlay', { workload: 'probe-security' }), { facts: secure });

  it('ranks every runtime once, with its fastest driver, fastest first', () => {
    const input = setting({ [runcCopy.id]: 120, [runcOverlay.id]: 100, [crun.id]: 80, [docker.id]: 300 }, [runcCopy, runcOverlay, crun, docker]);
    const ranking = rankCandidates({ ...input, limits: [], failed: [] })!;
    const entries = ranking.shapes[0]!.entries;
    assert.deepEqual(entries.map((entry) => `${entry.runtime}·${entry.storageDriver}`), ['crun·overlay', 'runc·overlay', 'docker·overlay2']);
  });

  it('names a runtime that could not be measured on the reference workload, with the reason', () => {
    const input = setting({ [crun.id]: 80 }, [crun, lxd]);
    const shape = rankCandidates({ ...input, limits: [], failed: [] })!.shapes[0]!;
    assert.deepEqual(shape.unmeasured.map((entry) => entry.runtime), ['lxd']);
    assert.match(shape.unmeasured[0]!.reason, /skipped: life-cycle shape command/);
  });

  it('says isolation holds only where every limit held and seccomp and no_new_privs were seen inside', () => {
    const input = setting({ [crun.id]: 80, [runcOverlay.id]: 90 }, [crun, runcOverlay], [probe('crun')]);
    const ranking = rankCandidates({ ...input, limits: [...limitsHeld('crun'), ...limitsHeld('runc')], failed: [] })!;
    const byRuntime = new Map(ranking.shapes[0]!.entries.map((entry) => [entry.runtime, entry]));
    assert.equal(byRuntime.get('crun')!.isolationHolds, true);
    assert.equal(byRuntime.get('runc')!.isolationHolds, false, 'runc had no probe-security facts');
    assert.equal(byRuntime.get('runc')!.isolationProbed, true);
  });

  it('puts a VM under emulation apart, never among the native runtimes', () => {
    const vm = planned('qemu-microvm+tcg', 'disk-overlay');
    const input = setting({ [crun.id]: 80, [vm.id]: 900 }, [crun, vm]);
    const shape = rankCandidates({ ...input, limits: [], failed: [] })!.shapes[0]!;
    assert.deepEqual(shape.entries.map((entry) => entry.runtime), ['crun']);
    assert.deepEqual(shape.emulated.map((entry) => entry.runtime), ['qemu-microvm+tcg']);
  });

  it('has nothing to rank without a declared reference workload', () => {
    const input = setting({ [crun.id]: 80 }, [crun]);
    assert.equal(rankCandidates({ ...input, manifest: { ...input.manifest, matrix: { ...input.manifest.matrix, referenceWorkload: undefined } }, limits: [], failed: [] }), undefined);
  });
});

describe('buildHeadline()', () => {
  it('recommends the fastest configuration whose isolation holds and sets Docker against it', () => {
    const crun = planned('crun', 'overlay');
    const runc = planned('runc', 'overlay');
    const docker = planned('docker', 'overlay2');
    const input = setting({ [crun.id]: 80, [runc.id]: 70, [docker.id]: 240 }, [crun, runc, docker], [
      summaryOf(planned('crun', 'overlay', { workload: 'probe-security' }), { facts: secure }),
      summaryOf(planned('docker', 'overlay2', { workload: 'probe-security' }), { facts: secure }),
    ]);
    const ranking = rankCandidates({ ...input, limits: [...limitsHeld('crun'), ...limitsHeld('docker')], failed: [] });
    const headline = buildHeadline(ranking, input.totalSeriesOf)!;
    assert.equal(headline.recommended!.runtime, 'crun', 'runc is faster but its isolation was not measured inside');
    assert.ok(Math.abs(headline.dockerVsBest!.ratio - 3) < 1e-9);
    assert.ok(headline.dockerVsBest!.ciLow <= 3 && 3 <= headline.dockerVsBest!.ciHigh);
    assert.deepEqual(headline.fastestPerClass.map((entry) => entry.runtime), ['crun'], 'per class, the fastest whose isolation held');
  });
});

describe('classOf()', () => {
  it('tells containers, user namespaces, a user-space kernel and VMs apart', () => {
    assert.equal(classOf('crun', undefined), 'container');
    assert.equal(classOf('podman', { userNamespace: true }), 'container, user namespace');
    assert.equal(classOf('runsc', undefined), 'user-space kernel');
    assert.equal(classOf('docker+runsc', undefined), 'user-space kernel');
    assert.equal(classOf('qemu-microvm+kvm', undefined), 'virtual machine');
    assert.equal(classOf('qemu-microvm+tcg', undefined), 'virtual machine, emulated');
  });
});
