import { rmSync } from 'node:fs';
import path from 'node:path';
import { LIFECYCLE_PHASES, type Cell, type LifecyclePhase, type Sample } from '../types.ts';
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

function stepsOf(phase: LifecyclePhase, container: Container, context: CellContext): Step[] {
  return phase === 'execute' ? context.runtime.execute(container, context.workload.argv) : context.runtime[phase](container);
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

/** Warm-ups first, then the measured repetitions, as (rep, warmup) pairs. */
function repetitionsOf(context: CellContext): { rep: number; warmup: boolean }[] {
  return [
    ...Array.from({ length: context.warmup }, (_value, rep) => ({ rep, warmup: true })),
    ...Array.from({ length: context.reps }, (_value, index) => ({ rep: context.firstRep + index, warmup: false })),
  ];
}

/**
 * Runs the warm-up and measured repetitions of one cell in one block, each through the five
 * phases, and hands one sample per phase to the sink as soon as it is measured. A failed
 * phase is recorded with its error, the container is removed outside the clock, and the
 * next repetition goes on.
 */
export async function runCell(cell: Cell, context: CellContext): Promise<CellOutcome> {
  const outcome: CellOutcome = { measuredReps: 0, failedReps: 0 };
  for (const { rep, warmup } of repetitionsOf(context)) {
    if (context.signal.aborted) break;
    const id = `${cell.image}-${cell.workload}-c${cell.concurrency}-b${context.block}-${warmup ? 'w' : 'r'}${rep}`;
    const container: Container = { id, image: cell.image, dir: path.join(context.mountpoint, 'containers', id), initPid: null };
    const base = {
      schemaVersion: 1 as const, cellId: cell.id, groupId: cell.groupId, runtime: cell.runtime, storageDriver: cell.storageDriver,
      filesystem: cell.filesystem, image: cell.image, workload: cell.workload, concurrency: cell.concurrency,
      block: context.block, rep, warmup,
    };
    let failed = false;
    try {
      await context.runtime.prepare(container);
    } catch (error) {
      context.sink.sample({ ...base, phase: 'create', durationMs: 0, ok: false, error: `preparing the container: ${(error as Error).message}`, startedAt: new Date().toISOString() });
      failed = true;
    }
    for (const phase of LIFECYCLE_PHASES) {
      if (failed || context.signal.aborted) break;
      const startedAt = new Date().toISOString();
      const result = await timePhase(stepsOf(phase, container, context), { scratchDir: context.scratchDir, deadlineMs: context.phaseTimeoutMs });
      const error = await judgePhase(phase, result, container, context);
      context.sink.commands(cell.id, `block ${context.block} ${warmup ? 'warm-up' : 'rep'} ${rep} ${phase}`, result.commands);
      const sample: Sample = { ...base, phase, durationMs: result.durationMs, ok: error === undefined, ...(error !== undefined ? { error } : {}), startedAt };
      context.sink.sample(sample);
      failed = error !== undefined;
    }
    if (failed || context.signal.aborted) await context.runtime.forceRemove(container);
    rmSync(container.dir, { recursive: true, force: true });
    context.sink.repetitionDone(cell.id, !failed);
    if (failed) outcome.failedReps += 1;
    else if (!warmup && !context.signal.aborted) outcome.measuredReps += 1;
  }
  return outcome;
}
