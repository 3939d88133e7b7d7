import { strict as assert } from 'node:assert';
import { analyseResults } from '../../pipeline/analyse/analyse-results.ts';
import { summariseLimits } from '../../pipeline/analyse/summarise-limits.ts';
import { limitMemory } from '../../pipeline/run/workloads/limit-memory.ts';
import { limitPids } from '../../pipeline/run/workloads/limit-pids.ts';
import { LIFECYCLE_PHASES, type Cell, type CommandRecord, type LifecyclePhase, type Manifest, type PhaseSample, type Sample } from '../../pipeline/types.ts';
import { loadResultsFixture } from '../fixtures/results/load-fixture.ts';

function probe(runtime: string, workload: string, extra: Partial<Cell> = {}): Cell {
  return {
    id: `${runtime}.copy.ext4.tiny.${workload}.c1`, groupId: `${runtime}.copy.ext4`, runtime, storageDriver: 'copy',
    filesystem: 'ext4', image: 'tiny', workload, lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency: 1, feasible: true, ...extra,
  };
}

function manifestOf(cells: Cell[]): Manifest {
  const { manifest } = loadResultsFixture();
  return { ...manifest, matrix: { ...manifest.matrix, name: 'test', seed: 5 }, cells };
}

function sample(of: Cell, phase: LifecyclePhase, rep: number, error?: string, warmup = false, facts?: PhaseSample['facts']): PhaseSample {
  return {
    kind: 'phase', schemaVersion: 2, cellId: of.id, groupId: of.groupId, runtime: of.runtime, storageDriver: of.storageDriver, filesystem: of.filesystem,
    image: of.image, workload: of.workload, lifecycle: of.lifecycle, netns: of.netns, cgroup: of.cgroup, concurrency: of.concurrency,
    phase, block: 0, rep, warmup, durationMs: 10 + rep, steps: [{ label: phase, durationMs: 10 + rep }], startMs: 0, endMs: 10 + rep,
    ok: error === undefined, ...(error === undefined ? {} : { error }), ...(facts === undefined ? {} : { facts }), startedAt: '2025-01-01T00:00:00.000Z',
  };
}

/** One repetition as the run stage writes it: phases up to the first failure, which ends it. */
function repetition(of: Cell, rep: number, failure?: { phase: LifecyclePhase; error: string }, warmup = false, facts?: PhaseSample['facts']): Sample[] {
  const samples: Sample[] = [];
  for (const phase of LIFECYCLE_PHASES) {
    const failed = failure?.phase === phase;
    samples.push(sample(of, phase, rep, failed ? failure.error : undefined, warmup, phase === 'execute' ? facts : undefined));
    if (failed) break;
  }
  return samples;
}

describe('summariseLimits()', () => {
  const memory = probe('runc', 'limit-memory');
  const pids = probe('runc', 'limit-pids');
  const network = probe('runc', 'limit-network');
  const noop = probe('runc', 'noop');

  it('calls a limit enforced when most repetitions passed, with how many did', () => {
    const samples = [0, 1, 2].flatMap((rep) => repetition(memory, rep, rep === 2 ? { phase: 'execute', error: 'not enforced: a 1024 MiB allocation survived the memory limit' } : undefined));
    assert.deepEqual(summariseLimits(manifestOf([noop, memory]), samples, new Map()), [
      { runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', limit: 'memory', verdict: 'enforced', evidence: 'the probe passed in 2 of 3 repetitions', n: 3 },
    ]);
  });

  it('calls a limit that ended gVisor\'s whole sandbox "enforced (sandbox killed)", from the probe\'s own facts', () => {
    // As runsc 2022-12-19 ended a memory hog and a fork bomb over the limit (measured on the reference host).
    const gvisor: CommandRecord = {
      argv: ['runsc', 'exec', 'x'], durationMs: 900, exitCode: 128, signal: null, stdout: '',
      stderr: 'waiting on pid 2: waiting on PID 2 in sandbox "rs4": urpc method "containerManager.WaitPID" failed: EOF\n',
    };
    const runscMemory = probe('runsc', 'limit-memory');
    const runscPids = probe('runsc', 'limit-pids');
    for (const [cell, workload] of [[runscMemory, limitMemory], [runscPids, limitPids]] as const) {
      assert.equal(workload.check(gvisor), null, `${workload.name} counts the run`);
      const samples = [0, 1].flatMap((rep) => repetition(cell, rep, undefined, false, workload.facts!(gvisor)));
      assert.deepEqual(summariseLimits(manifestOf([cell]), samples, new Map()), [{
        runtime: 'runsc', storageDriver: 'copy', filesystem: 'ext4', limit: cell === runscMemory ? 'memory' : 'pids', verdict: 'enforced-sandbox-killed',
        evidence: 'the limit ended the whole sandbox (runsc exec: "containerManager.WaitPID failed: EOF") in 2 of 2 repetitions', n: 2,
      }]);
    }
  });

  it('keeps a process killed at the limit "enforced", its facts saying the sandbox lived', () => {
    const killed: CommandRecord = { argv: [], durationMs: 300, exitCode: 137, signal: null, stdout: '', stderr: '' };
    const samples = repetition(memory, 0, undefined, false, limitMemory.facts!(killed));
    assert.equal(summariseLimits(manifestOf([memory]), samples, new Map())[0]?.verdict, 'enforced');
  });

  it('calls it not enforced with the probe’s message, and a tie goes to not enforced', () => {
    const samples = [0, 1].flatMap((rep) => repetition(pids, rep, rep === 1 ? { phase: 'execute', error: 'not enforced: all 400 forks succeeded' } : undefined));
    const [limit] = summariseLimits(manifestOf([pids]), samples, new Map());
    assert.equal(limit?.verdict, 'not-enforced');
    assert.equal(limit?.evidence, 'not enforced: all 400 forks succeeded (1 of 2 repetitions)');
  });

  it('calls it unknown when the probe could not tell', () => {
    const samples = [0, 1, 2].flatMap((rep) => repetition(memory, rep, { phase: 'execute', error: 'could not tell: the memory hog ended with exit 1 without being killed' }));
    const [limit] = summariseLimits(manifestOf([memory]), samples, new Map());
    assert.equal(limit?.verdict, 'unknown');
    assert.equal(limit?.evidence, 'could not tell: the memory hog ended with exit 1 without being killed (3 of 3 repetitions)');
  });

  it('calls it not run when the probe failed in create, with the phase and its error', () => {
    const samples = [0, 1].flatMap((rep) => repetition(network, rep, { phase: 'create', error: 'preparing the container: no space left on device' }));
    const [limit] = summariseLimits(manifestOf([network]), samples, new Map());
    assert.deepEqual(limit, {
      runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', limit: 'network', verdict: 'not-run',
      evidence: 'create failed: preparing the container: no space left on device (2 of 2 repetitions)', n: 2,
    });
  });

  it('calls an execute that failed for another reason than the limit not run', () => {
    const samples = repetition(network, 0, { phase: 'execute', error: 'execute timed out after 60000 ms' });
    assert.equal(summariseLimits(manifestOf([network]), samples, new Map())[0]?.verdict, 'not-run');
  });

  it('leaves warm-ups out', () => {
    const samples = [...repetition(pids, 0, { phase: 'execute', error: 'not enforced: all 400 forks succeeded' }, true), ...repetition(pids, 0)];
    assert.equal(summariseLimits(manifestOf([pids]), samples, new Map())[0]?.evidence, 'the probe passed in 1 of 1 repetition');
  });

  it('gives a skipped probe the plan’s reason and a probe that never ran its first error, n = 0', () => {
    const skipped = probe('kata', 'limit-memory', { feasible: false, skipReason: 'no KVM' });
    const failed = probe('crun', 'limit-pids');
    const limits = summariseLimits(manifestOf([skipped, failed]), [], new Map([[failed.id, 'mount: wrong fs type']]));
    assert.deepEqual(limits.map((l) => [l.runtime, l.limit, l.verdict, l.evidence, l.n]), [
      ['kata', 'memory', 'not-run', 'skipped: no KVM', 0],
      ['crun', 'pids', 'not-run', 'mount: wrong fs type', 0],
    ]);
  });

  it('leaves out a probe that no host could run (a driver of another runtime): it says nothing about isolation', () => {
    const impossible = probe('docker', 'limit-memory', { feasible: false, skipReason: 'storage driver overlay does not work with runtime docker', skipByDesign: true });
    assert.deepEqual(summariseLimits(manifestOf([impossible]), [], new Map()), []);
  });

  it('pools the containers of a batch and lists configurations in manifest order, limits memory, pids, network', () => {
    const batch = probe('crun', 'limit-network', { concurrency: 2, id: 'crun-net-c2' });
    const samples = [0, 1].flatMap((slot) => repetition(batch, 0).map((s) => ({ ...s, slot })));
    const limits = summariseLimits(manifestOf([network, batch, memory]), [...samples, ...repetition(memory, 0)], new Map());
    assert.deepEqual(limits.map((l) => [l.runtime, l.limit, l.n]), [['runc', 'memory', 1], ['runc', 'network', 0], ['crun', 'network', 2]]);
  });

  it('is empty without probe cells', () => {
    assert.deepEqual(summariseLimits(manifestOf([noop]), repetition(noop, 0), new Map()), []);
  });
});

describe('analyseResults() with isolation probes', () => {
  it('keeps probe cells with their phase times, marks them, and leaves them out of the comparisons', () => {
    const runc = probe('runc', 'noop');
    const crun = probe('crun', 'noop');
    const runcPids = probe('runc', 'limit-pids');
    const crunPids = probe('crun', 'limit-pids');
    const samples = [runc, crun, runcPids, crunPids].flatMap((of) => [0, 1, 2].flatMap((rep) => repetition(of, rep)));
    const manifest = manifestOf([runc, crun, runcPids, crunPids]);
    manifest.matrix.axes = { ...manifest.matrix.axes, runtime: ['runc', 'crun'], workload: ['noop', 'limit-pids'] };
    const summary = analyseResults({ manifest, samples, setAsideLines: 0 });
    assert.deepEqual(summary.cells.map((cell) => [cell.workload, cell.probe]), [['noop', undefined], ['noop', undefined], ['limit-pids', 'pids'], ['limit-pids', 'pids']]);
    const compared = new Set(summary.comparisons.flatMap((c) => [c.baselineCellId, c.candidateCellId]));
    assert.deepEqual([...compared].sort(), [crun.id, runc.id].sort());
    assert.deepEqual(summary.limits.map((l) => [l.runtime, l.verdict]), [['runc', 'enforced'], ['crun', 'enforced']]);
  });
});
