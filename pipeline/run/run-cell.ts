import { readFileSync, rmSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { LIFECYCLE_PHASES, type Cell, type LifecyclePhase, type MetricSample, type PhaseSample, type Sample, type SampleKey } from '../types.ts';
import type { Executor } from './executor/executor.ts';
import { run, stepTimings, type PhaseRun, type Step } from './executor/steps.ts';
import { unionLengthMs } from './interval-union.ts';
import type { ContainerPlan, ContainerSpec, RuntimeGroup } from './runtimes/index.ts';
import { logRecordOf, type LogEntry, type SampleSink } from './sample-sink.ts';
import type { Workload } from './workloads/index.ts';

export interface CellContext {
  runtime: RuntimeGroup;
  executor: Executor;
  workload: Workload;
  mountpoint: string;
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

/** What a batch measured, held in memory until the batch is over. */
interface BatchBuffer {
  samples: Sample[];
  logs: LogEntry[];
}

const UNTIMED_DEADLINE_MS = 120_000;

/** A phase with nothing to do (`command`'s stop) takes no time and runs nothing. */
async function runPhase(executor: Executor, steps: Step[], deadlineMs: number): Promise<PhaseRun> {
  if (steps.length > 0) return executor.runPhase(steps, { deadlineMs });
  const nowMs = executor.nowMs();
  return { records: [], startMs: nowMs, endMs: nowMs, durationMs: 0, ok: true };
}

/** Writes back what is dirty on the volume, outside every clock, so one phase does not pay for another's writes. */
async function syncVolume(context: CellContext): Promise<void> {
  await context.executor.runPhase([run('sync -f', ['sync', '-f', context.mountpoint])], { deadlineMs: UNTIMED_DEADLINE_MS });
}

/** Bytes in use on the volume, after a sync so delayed allocation has happened. */
async function usedBytes(context: CellContext): Promise<number> {
  await syncVolume(context);
  const stats = statfsSync(context.mountpoint);
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

function metricSample(key: SampleKey, phase: MetricSample['phase'], value: number, unit: 'bytes' | undefined): MetricSample {
  return { ...key, kind: 'metric', phase, durationMs: unit === undefined ? value : 0, ...(unit !== undefined ? { value, unit } : {}), ok: true, startedAt: new Date().toISOString() };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Builds a phase's steps; a plan that cannot (a missing pid) fails the phase with its reason. */
function stepsOf(plan: ContainerPlan, phase: LifecyclePhase): Step[] | string {
  try {
    return plan[phase]();
  } catch (error) {
    return `building the ${phase} steps: ${messageOf(error)}`;
  }
}

/** What follows a phase outside its clock (the adapter learning an init pid); its error, if any. */
async function afterPhase(plan: ContainerPlan, phase: LifecyclePhase, result: PhaseRun, context: CellContext, log: (label: string, run: PhaseRun) => void): Promise<string | undefined> {
  try {
    const follow = plan.after?.(phase, result.records);
    if (follow === undefined) return undefined;
    const probe = await context.executor.runPhase(follow.steps, { deadlineMs: UNTIMED_DEADLINE_MS });
    log(`after ${phase} (untimed)`, probe);
    if (probe.error !== undefined) return `after ${phase}: ${probe.error}`;
    follow.learn(probe.records);
    return undefined;
  } catch (error) {
    return `after ${phase}: ${messageOf(error)}`;
  }
}

/**
 * One container through the five phases, each timed by the executor and kept in the batch's
 * buffer, with its peak memory after execute and, when it runs alone, the disk its creation
 * took. Returns whether every phase counted.
 */
async function runLifecycle(plan: ContainerPlan, key: SampleKey, context: CellContext, alone: boolean, buffer: BatchBuffer): Promise<boolean> {
  const label = `block ${key.block} ${key.warmup ? 'warm-up' : 'rep'} ${key.rep}${alone ? '' : ` slot ${key.slot}`}`;
  const log = (what: string, result: PhaseRun) => buffer.logs.push({ cellId: key.cellId, label: `${label} ${what}`, records: result.records.map(logRecordOf) });
  const failPhase = (phase: LifecyclePhase, error: string): false => {
    const nowMs = context.executor.nowMs();
    buffer.samples.push({ ...key, kind: 'phase', phase, durationMs: 0, steps: [], startMs: nowMs, endMs: nowMs, ok: false, error, startedAt: new Date().toISOString() });
    return false;
  };
  try {
    plan.prepare?.();
  } catch (error) {
    return failPhase('create', `preparing the container: ${messageOf(error)}`);
  }
  for (const phase of LIFECYCLE_PHASES) {
    if (context.signal.aborted) return false;
    // Disk use is a difference of the whole volume: only meaningful with one container at a time.
    const usedBefore = alone && phase === 'create' ? await usedBytes(context) : 0;
    // Without it, a workload's fsync would also flush what create's copy left in the page cache.
    // With containers side by side no sync may run (another one may be inside a clock): the batch syncs once before it starts.
    if (alone && phase === 'execute') await syncVolume(context);
    const steps = stepsOf(plan, phase);
    if (typeof steps === 'string') return failPhase(phase, steps);
    const startedAt = new Date().toISOString();
    const result = await (plan.runPhase?.(phase, steps, context.executor, context.phaseTimeoutMs) ?? runPhase(context.executor, steps, context.phaseTimeoutMs));
    let error = result.error;
    let facts: PhaseSample['facts'];
    if (error === undefined && phase === 'execute') {
      try {
        const workloadRun = plan.workloadRun(result.records);
        error = context.workload.check(workloadRun) ?? undefined;
        facts = context.workload.facts?.(workloadRun);
      } catch (caught) {
        error = `reading the workload's result: ${messageOf(caught)}`;
      }
    }
    log(phase, result);
    if (error === undefined) error = await afterPhase(plan, phase, result, context, log);
    buffer.samples.push({
      ...key, kind: 'phase', phase, durationMs: result.durationMs, steps: stepTimings(result.records), startMs: result.startMs, endMs: result.endMs,
      ok: error === undefined, ...(error !== undefined ? { error } : {}), ...(facts !== undefined ? { facts } : {}), startedAt,
    });
    if (error !== undefined) return false;
    if (alone && phase === 'create') buffer.samples.push(metricSample(key, 'disk-usage', Math.max(0, (await usedBytes(context)) - usedBefore), 'bytes'));
    if (phase === 'execute') {
      const peak = peakMemoryBytes(plan.memoryCgroup?.() ?? null) ?? plan.residentBytes?.() ?? null;
      if (peak !== null) buffer.samples.push(metricSample(key, 'peak-memory', peak, 'bytes'));
    }
  }
  return true;
}

/** Every removal step, each on its own (one that fails, because there was nothing to remove, stops none of the others). */
async function forceRemove(plan: ContainerPlan | undefined, context: CellContext, buffer: BatchBuffer, label: string, cellId: string): Promise<void> {
  for (const step of plan?.forceRemove() ?? []) {
    const removal = await context.executor.runPhase([step], { deadlineMs: UNTIMED_DEADLINE_MS }).catch(() => undefined);
    if (removal !== undefined) buffer.logs.push({ cellId, label: `${label} force-remove (untimed)`, records: removal.records.map(logRecordOf) });
  }
}

/** Warm-ups first, then the measured repetitions, as (rep, warmup) pairs. */
function repetitionsOf(context: CellContext): { rep: number; warmup: boolean }[] {
  return [
    ...Array.from({ length: context.warmup }, (_value, rep) => ({ rep, warmup: true })),
    ...Array.from({ length: context.reps }, (_value, index) => ({ rep: context.firstRep + index, warmup: false })),
  ];
}

/** The sample fields that say where a cell's sample belongs. */
export function sampleKeyOf(cell: Cell, block: number, rep: number, warmup: boolean): SampleKey {
  return {
    schemaVersion: 2, cellId: cell.id, groupId: cell.groupId, runtime: cell.runtime, storageDriver: cell.storageDriver,
    filesystem: cell.filesystem, image: cell.image, workload: cell.workload, lifecycle: cell.lifecycle, netns: cell.netns, cgroup: cell.cgroup,
    concurrency: cell.concurrency, block, rep, warmup,
  };
}

/** The containers of one batch: named after the cell's values, so ids stay unique within a group. */
function containersOf(cell: Cell, context: CellContext, rep: number, warmup: boolean): ContainerSpec[] {
  const alone = cell.concurrency === 1;
  return Array.from({ length: cell.concurrency }, (_value, slot): ContainerSpec => {
    const levers = `${cell.netns === 'fresh' ? '' : `-n${cell.netns}`}${cell.cgroup === 'fresh' ? '' : `-g${cell.cgroup}`}`;
    const id = `${cell.image}-${cell.workload}-${cell.lifecycle}${levers}-c${cell.concurrency}-b${context.block}-${warmup ? 'w' : 'r'}${rep}${alone ? '' : `-s${slot}`}`;
    return { id, image: cell.image, dir: path.join(context.mountpoint, 'containers', id), workloadArgv: context.workload.argv, lifecycle: cell.lifecycle, netns: cell.netns, cgroup: cell.cgroup };
  });
}

/**
 * Runs the warm-up and measured repetitions of one cell in one block. A repetition is a
 * batch of `concurrency` containers going through the life cycle at the same time, the way
 * an exam peak does: each container's phases are samples of their own (with its slot), and
 * the batch's makespan is one more: the time at least one of its containers was inside a
 * phase (the union of their phase intervals, on the executor's clock), so it holds no
 * harness work between phases. Samples and logs are written once the batch is over. A
 * failed phase is recorded with its error, its container removed outside the clock, and the
 * next repetition goes on.
 */
export async function runCell(cell: Cell, context: CellContext): Promise<CellOutcome> {
  const outcome: CellOutcome = { measuredReps: 0, failedReps: 0 };
  const alone = cell.concurrency === 1;
  for (const { rep, warmup } of repetitionsOf(context)) {
    if (context.signal.aborted) break;
    const key = sampleKeyOf(cell, context.block, rep, warmup);
    const specs = containersOf(cell, context, rep, warmup);
    const plans = specs.map((spec) => context.workload.plan?.(context.runtime, spec) ?? context.runtime.container(spec));
    const buffer: BatchBuffer = { samples: [], logs: [] };
    if (!alone) await syncVolume(context);
    const results = await Promise.all(plans.map((plan, slot) => runLifecycle(plan, alone ? key : { ...key, slot }, context, alone, buffer)));
    const failed = results.includes(false);
    if (!failed && !context.signal.aborted) {
      const intervals = buffer.samples.flatMap((sample) => (sample.kind === 'phase' ? [[sample.startMs, sample.endMs] as const] : []));
      buffer.samples.push(metricSample(key, 'makespan', unionLengthMs(intervals), undefined));
    }
    for (const [slot, spec] of specs.entries()) {
      if (results[slot] !== true) await forceRemove(plans[slot], context, buffer, `block ${context.block} rep ${rep} slot ${slot}`, cell.id);
      rmSync(spec.dir, { recursive: true, force: true });
    }
    context.sink.batch(buffer.samples, buffer.logs);
    context.sink.repetitionDone(cell.id, !failed);
    if (failed) outcome.failedReps += 1;
    else if (!warmup && !context.signal.aborted) outcome.measuredReps += 1;
  }
  return outcome;
}
