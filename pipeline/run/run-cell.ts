import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { LIFECYCLE_PHASES, type Cell, type ExtraMetric, type LifecyclePhase, type Sample } from '../types.ts';
import { timePhase, type PhaseOutcome, type Step } from './phase-steps.ts';
import type { Container, RuntimeGroup } from './runtimes/index.ts';
import type { SampleSink } from './sample-sink.ts';
import type { Workload } from './workloads/index.ts';

export interface CellContext {
  runtime: RuntimeGroup;
  workload: Workload;
  mountpoint: string;
  scratchDir: string;
  block: number;
  /** Warm-up repetitions to run first, then measured repetitions firstRep…firstRep+reps−1. */
  warmup: number;
  firstRep: number;
  reps: number;
  phaseTimeoutMs: number;
  sink: SampleSink;
  signal: AbortSignal;
}

export interface CellOutcome {
  measuredReps: number;
  failedReps: number;
}

type SampleBase = Omit<Sample, 'phase' | 'durationMs' | 'ok' | 'error' | 'startedAt'>;

function stepsOf(phase: LifecyclePhase, container: Container, context: CellContext): Step[] {
  if (phase !== 'execute') return context.runtime[phase](container);
  // The last command of execute runs the workload: its exit code is for the workload's check
  // to judge (a memory hog is supposed to die with 137 where the limit holds).
  const steps = context.runtime.execute(container, context.workload.argv);
  const last = steps.at(-1);
  return last?.kind === 'run' ? [...steps.slice(0, -1), { ...last, exitJudgedElsewhere: true }] : steps;
}

/** Why a timed phase does not count: its own error, the workload's check, or the follow-up. */
async function judgePhase(phase: LifecyclePhase, outcome: PhaseOutcome, container: Container, context: CellContext): Promise<string | undefined> {
  if (outcome.error !== undefined) return outcome.error;
  if (phase === 'execute') {
    const last = outcome.commands.at(-1);
    const verdict = last === undefined ? null : context.workload.check(last);
    if (verdict !== null) return verdict;
  }
  try {
    await context.runtime.afterPhase(phase, container);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Writes back what is dirty on the volume, so one phase does not pay for the writes of another. */
async function syncVolume(mountpoint: string): Promise<void> {
  await promisify(execFile)('sync', ['-f', mountpoint]).catch(() => undefined);
}

/** Bytes in use on the volume, after a sync so delayed allocation has happened. */
async function usedBytes(mountpoint: string): Promise<number> {
  await syncVolume(mountpoint);
  const stats = statfsSync(mountpoint);
  return (stats.blocks - stats.bfree) * stats.bsize;
}

/** The most memory the container's cgroup ever held (cgroup v1 or v2), or null when unreadable. */
function peakMemoryBytes(cgroup: string | null): number | null {
  if (cgroup === null) return null;
  for (const file of ['memory.max_usage_in_bytes', 'memory.peak']) {
    try {
      return Number(readFileSync(path.join(cgroup, file), 'utf8').trim());
    } catch {
      // the other cgroup version's file
    }
  }
  return null;
}

function metricSample(base: SampleBase, phase: ExtraMetric, value: number, unit: 'bytes' | undefined): Sample {
  return { ...base, phase, durationMs: unit === undefined ? value : 0, ...(unit !== undefined ? { value, unit } : {}), ok: true, startedAt: new Date().toISOString() };
}

/**
 * One container through the five phases, each timed on its own and handed to the sink as
 * soon as it is measured, with its peak memory after execute and, when it runs alone, the
 * disk its creation took. Returns whether every phase counted.
 */
async function runLifecycle(container: Container, base: SampleBase, context: CellContext, alone: boolean): Promise<boolean> {
  try {
    await context.runtime.prepare(container);
  } catch (error) {
    context.sink.sample({ ...base, phase: 'create', durationMs: 0, ok: false, error: `preparing the container: ${(error as Error).message}`, startedAt: new Date().toISOString() });
    return false;
  }
  for (const phase of LIFECYCLE_PHASES) {
    if (context.signal.aborted) return false;
    // Disk use is a difference of the whole volume: only meaningful with one container at a time.
    const usedBefore = alone && phase === 'create' ? await usedBytes(context.mountpoint) : 0;
    // Without it, a workload's fsync would also flush what create's copy left in the page cache.
    if (phase === 'execute') await syncVolume(context.mountpoint);
    const startedAt = new Date().toISOString();
    const result = await timePhase(stepsOf(phase, container, context), { scratchDir: context.scratchDir, deadlineMs: context.phaseTimeoutMs, concurrent: !alone });
    const error = await judgePhase(phase, result, container, context);
    context.sink.commands(base.cellId, `block ${base.block} ${base.warmup ? 'warm-up' : 'rep'} ${base.rep}${alone ? '' : ` slot ${base.slot}`} ${phase}`, result.commands);
    context.sink.sample({ ...base, phase, durationMs: result.durationMs, ok: error === undefined, ...(error !== undefined ? { error } : {}), startedAt });
    if (error !== undefined) return false;
    if (alone && phase === 'create') context.sink.sample(metricSample(base, 'disk-usage', Math.max(0, (await usedBytes(context.mountpoint)) - usedBefore), 'bytes'));
    if (phase === 'execute') {
      const peak = peakMemoryBytes(context.runtime.memoryCgroup?.(container) ?? null);
      if (peak !== null) context.sink.sample(metricSample(base, 'peak-memory', peak, 'bytes'));
    }
  }
  return true;
}

/** Warm-ups first, then the measured repetitions, as (rep, warmup) pairs. */
function repetitionsOf(context: CellContext): { rep: number; warmup: boolean }[] {
  return [
    ...Array.from({ length: context.warmup }, (_value, rep) => ({ rep, warmup: true })),
    ...Array.from({ length: context.reps }, (_value, index) => ({ rep: context.firstRep + index, warmup: false })),
  ];
}

/**
 * Runs the warm-up and measured repetitions of one cell in one block. A repetition is a
 * batch of `concurrency` containers going through the life cycle at the same time, the way
 * an exam peak does: each container's phases are samples of their own (with its slot), and
 * the batch's makespan is one more. A failed phase is recorded with its error, its
 * container removed outside the clock, and the next repetition goes on.
 */
export async function runCell(cell: Cell, context: CellContext): Promise<CellOutcome> {
  const outcome: CellOutcome = { measuredReps: 0, failedReps: 0 };
  const alone = cell.concurrency === 1;
  for (const { rep, warmup } of repetitionsOf(context)) {
    if (context.signal.aborted) break;
    const base: SampleBase = {
      schemaVersion: 1, cellId: cell.id, groupId: cell.groupId, runtime: cell.runtime, storageDriver: cell.storageDriver,
      filesystem: cell.filesystem, image: cell.image, workload: cell.workload, concurrency: cell.concurrency, block: context.block, rep, warmup,
    };
    const containers = Array.from({ length: cell.concurrency }, (_value, slot): Container => {
      const id = `${cell.image}-${cell.workload}-c${cell.concurrency}-b${context.block}-${warmup ? 'w' : 'r'}${rep}${alone ? '' : `-s${slot}`}`;
      return { id, image: cell.image, dir: path.join(context.mountpoint, 'containers', id), workloadArgv: context.workload.argv, initPid: null };
    });
    const batchStart = performance.now();
    const results = await Promise.all(containers.map((container, slot) => runLifecycle(container, alone ? base : { ...base, slot }, context, alone)));
    const makespanMs = performance.now() - batchStart;
    const failed = results.includes(false);
    if (!failed && !context.signal.aborted) context.sink.sample(metricSample(base, 'makespan', makespanMs, undefined));
    for (const [slot, container] of containers.entries()) {
      if (results[slot] !== true) await context.runtime.forceRemove(container);
      rmSync(container.dir, { recursive: true, force: true });
    }
    context.sink.repetitionDone(cell.id, !failed);
    if (failed) outcome.failedReps += 1;
    else if (!warmup && !context.signal.aborted) outcome.measuredReps += 1;
  }
  return outcome;
}
