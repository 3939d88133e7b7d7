import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isPreciseEnough } from '../../pipeline/run/adaptive-stop.ts';
import type { NativeExecutor } from '../../pipeline/run/executor/native-executor.ts';
import { openNativeExecutor } from '../../pipeline/run/executor/native-executor.ts';
import { runCell } from '../../pipeline/run/run-cell.ts';
import type { SampleSink } from '../../pipeline/run/sample-sink.ts';
import type { Workload } from '../../pipeline/run/workloads/workload.ts';
import { LIFECYCLE_PHASES, type Cell, type LogEntry, type MetricSample, type PhaseSample, type Sample } from '../../pipeline/types.ts';
import { fakeRuntime, type FakeScript } from './fake-runtime.ts';

/** A workload that counts when the fake printed `ok`. */
const okWorkload: Workload = { name: 'ok', argv: ['/bin/ok'], check: (record) => (record.stdout === 'ok\n' ? null : `expected ok, got ${JSON.stringify(record.stdout)}`) };

function cellOf(concurrency: number): Cell {
  return {
    id: `fake.copy.ext4.tiny.ok.exec.c${concurrency}`, groupId: 'fake.copy.ext4', runtime: 'fake', storageDriver: 'copy', filesystem: 'ext4',
    image: 'tiny', workload: 'ok', lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency, feasible: true,
  };
}

/** A sink that keeps every batch, and when each arrived relative to the repetitions. */
function memorySink() {
  const batches: { samples: Sample[]; logs: LogEntry[] }[] = [];
  const done: boolean[] = [];
  const sink: SampleSink = {
    batch: (samples, logs) => batches.push({ samples: [...samples], logs: [...logs] }),
    repetitionDone: (_cellId, ok) => done.push(ok),
  };
  return { sink, batches, done, samples: () => batches.flatMap((batch) => batch.samples) };
}

const SCRIPT: FakeScript = { sleepS: { create: [0.03, 0.02], launch: 0.02, execute: 0.03, stop: 0.02, clean: 0.01 } };
const SLEPT_MS: Record<string, number> = { create: 50, launch: 20, execute: 30, stop: 20, clean: 10 };

describe('runCell() with a fake runtime through the native executor', function () {
  this.timeout(60_000);
  let executor: NativeExecutor;
  let workDir: string;

  before(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-runcell-'));
    executor = await openNativeExecutor({ scratchDir: workDir });
  });
  after(async () => {
    await executor.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function runWith(script: FakeScript, concurrency: number, options: { warmup?: number; reps?: number; phaseTimeoutMs?: number; workload?: Workload } = {}) {
    const adapter = fakeRuntime(script);
    const runtime = await adapter.openGroup({ groupId: 'g', workDir, mountpoint: workDir, poolName: 'p', host: {} as never, runtime: 'fake', storageDriver: 'copy', limits: {} as never });
    const memory = memorySink();
    const outcome = await runCell(cellOf(concurrency), {
      runtime, executor, workload: options.workload ?? okWorkload, mountpoint: workDir, block: 0, warmup: options.warmup ?? 0, firstRep: 0,
      reps: options.reps ?? 2, phaseTimeoutMs: options.phaseTimeoutMs ?? 10_000, sink: memory.sink, signal: new AbortController().signal,
    });
    return { outcome, memory, adapter };
  }

  const phasesOf = (samples: Sample[]) => samples.filter((sample): sample is PhaseSample => sample.kind === 'phase');
  const makespansOf = (samples: Sample[]) => samples.filter((sample): sample is MetricSample => sample.kind === 'metric' && sample.phase === 'makespan');

  it('at N = 1, records each phase with the known sleeps, step by step, summing to the phase', async () => {
    const { outcome, memory } = await runWith(SCRIPT, 1);
    assert.deepEqual(outcome, { measuredReps: 2, failedReps: 0 });
    const phases = phasesOf(memory.samples());
    assert.equal(phases.length, 2 * LIFECYCLE_PHASES.length);
    for (const sample of phases) {
      const slept = SLEPT_MS[sample.phase] ?? 0;
      assert.ok(sample.ok, sample.error);
      assert.ok(sample.durationMs >= slept && sample.durationMs < slept + 60, `${sample.phase}: ${sample.durationMs} ms for ${slept} ms of sleep`);
      const stepSum = sample.steps.reduce((sum, step) => sum + step.durationMs, 0);
      assert.ok(Math.abs(stepSum - sample.durationMs) <= 0.02 * sample.durationMs, `${sample.phase}: steps ${stepSum} vs ${sample.durationMs}`);
      assert.ok(sample.endMs - sample.startMs - sample.durationMs < 0.001);
    }
    // Between two steps the timer spends a few microseconds of its own: shown as `harness`, never hidden.
    const labels = (phase: string) => phases.find((sample) => sample.phase === phase)?.steps.map((step) => step.label).filter((label) => label !== 'harness');
    assert.deepEqual(labels('create'), ['fake create 1', 'fake create 2']);
    assert.deepEqual(labels('execute'), ['fake execute 1', 'fake workload']);
    const harnessMs = phases.flatMap((sample) => sample.steps).filter((step) => step.label === 'harness').reduce((sum, step) => sum + step.durationMs, 0);
    assert.ok(harnessMs < 1, `the timer's own time between steps: ${harnessMs} ms`);
  });

  it('at N = 1, the makespan is the container work: within 1.25x of the sum of the phases, and no less', async () => {
    const { memory } = await runWith(SCRIPT, 1);
    for (const batch of memory.batches) {
      const phases = phasesOf(batch.samples);
      const sum = phases.reduce((total, sample) => total + sample.durationMs, 0);
      const [makespan] = makespansOf(batch.samples);
      assert.ok(makespan !== undefined);
      assert.ok(makespan.durationMs >= sum - 0.01 && makespan.durationMs <= 1.25 * sum, `makespan ${makespan.durationMs} vs phases ${sum}`);
    }
  });

  it('at N = 4, runs the containers side by side: each slot has its phases, the makespan is about one container, not four', async () => {
    const { memory } = await runWith(SCRIPT, 4, { reps: 1 });
    const [batch] = memory.batches;
    assert.ok(batch !== undefined);
    const phases = phasesOf(batch.samples);
    assert.deepEqual([...new Set(phases.map((sample) => sample.slot))].sort(), [0, 1, 2, 3]);
    const oneContainerMs = Object.values(SLEPT_MS).reduce((sum, ms) => sum + ms, 0);
    const [makespan] = makespansOf(batch.samples);
    assert.ok(makespan !== undefined);
    assert.ok(makespan.durationMs >= oneContainerMs && makespan.durationMs < 2.5 * oneContainerMs, `makespan ${makespan.durationMs} for ${oneContainerMs} ms per container`);
    for (const sample of phases) {
      const slept = SLEPT_MS[sample.phase] ?? 0;
      assert.ok(sample.durationMs >= slept && sample.durationMs < slept + 150, `slot ${sample.slot} ${sample.phase}: ${sample.durationMs} ms for ${slept}`);
    }
  });

  it('hands the samples over once per batch, after the batch, never sample by sample', async () => {
    const { memory } = await runWith(SCRIPT, 4, { reps: 2 });
    assert.equal(memory.batches.length, 2);
    assert.equal(memory.done.length, 2);
    for (const batch of memory.batches) assert.equal(phasesOf(batch.samples).length, 4 * LIFECYCLE_PHASES.length);
  });

  it('records a phase that fails on cue with its error, removes the container, and goes on with the next repetition', async () => {
    const { outcome, memory, adapter } = await runWith({ ...SCRIPT, failAt: { phase: 'launch', rep: 0 } }, 1);
    assert.deepEqual(outcome, { measuredReps: 1, failedReps: 1 });
    const failed = phasesOf(memory.samples()).filter((sample) => !sample.ok);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.phase, 'launch');
    assert.match(failed[0]?.error ?? '', /exit 3: failing on cue/);
    assert.equal(makespansOf(memory.batches[0]?.samples ?? []).length, 0, 'a failed batch has no makespan');
    assert.equal(adapter.log.forceRemoved.length, 1);
    assert.deepEqual(memory.done, [false, true]);
  });

  it('kills a phase that hangs at the deadline and records it as timed out', async () => {
    const { outcome, memory } = await runWith({ ...SCRIPT, hangAt: 'execute' }, 1, { reps: 1, phaseTimeoutMs: 300 });
    assert.deepEqual(outcome, { measuredReps: 0, failedReps: 1 });
    const execute = phasesOf(memory.samples()).find((sample) => sample.phase === 'execute');
    assert.equal(execute?.ok, false);
    assert.match(execute?.error ?? '', /timed out/);
    assert.ok((execute?.durationMs ?? 0) < 2_000);
  });

  it('fails execute when the workload check does not count the output', async () => {
    const { memory } = await runWith({ ...SCRIPT, output: 'not ok\n' }, 1, { reps: 1 });
    const execute = phasesOf(memory.samples()).find((sample) => sample.phase === 'execute');
    assert.equal(execute?.ok, false);
    assert.match(execute?.error ?? '', /expected ok/);
  });

  it('runs warm-ups first, marked as such, then the measured repetitions numbered from firstRep', async () => {
    const { memory } = await runWith(SCRIPT, 1, { warmup: 1, reps: 2 });
    const reps = phasesOf(memory.samples()).filter((sample) => sample.phase === 'create').map((sample) => `${sample.warmup ? 'w' : 'r'}${sample.rep}`);
    assert.deepEqual(reps, ['w0', 'r0', 'r1']);
  });

  it('gives adaptive stopping samples it can stop on, once a cell has its minimum repetitions', async () => {
    const { memory } = await runWith(SCRIPT, 1, { reps: 6 });
    assert.equal(isPreciseEnough(memory.samples(), { minRepetitions: 5, targetRelativeHalfWidth: 1 }, 1), true);
    assert.equal(isPreciseEnough(memory.samples(), { minRepetitions: 7, targetRelativeHalfWidth: 0.5 }, 1), false, 'fewer than minRepetitions');
  });

  it('logs every step of every phase with its label', async () => {
    const { memory } = await runWith(SCRIPT, 1, { reps: 1 });
    const logs = memory.batches.flatMap((batch) => batch.logs);
    assert.ok(logs.some((entry) => entry.label.endsWith('create') && entry.records.some((record) => record.argv[0] === '[fake create 1]')));
  });
});
