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
  repetitions: number;
  warmup: number;
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

/**
 * Runs the warm-up and measured repetitions of one cell, each through the five phases,
 * and hands one sample per phase to the sink as soon as it is measured. A failed phase
 * is recorded with its error, the container is removed outside the clock, and the next
 * repetition goes on.
 */
export async function runCell(cell: Cell, context: CellContext): Promise<CellOutcome> {
  const outcome: CellOutcome = { measuredReps: 0, failedReps: 0 };
  const total = context.warmup + context.repetitions;
  for (let rep = 0; rep < total && !context.signal.aborted; rep += 1) {
    const warmup = rep < context.warmup;
    const id = `${cell.image}-${cell.workload}-c${cell.concurrency}-r${rep}`;
    const container: Container = { id, image: cell.image, dir: path.join(context.mountpoint, 'containers', id), initPid: null };
    const base = {
      schemaVersion: 1 as const, cellId: cell.id, groupId: cell.groupId, runtime: cell.runtime, storageDriver: cell.storageDriver,
      filesystem: cell.filesystem, image: cell.image, workload: cell.workload, concurrency: cell.concurrency, rep, warmup,
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
      context.sink.commands(cell.id, `rep ${rep} ${phase}`, result.commands);
      const sample: Sample = { ...base, phase, durationMs: result.durationMs, ok: error === undefined, ...(error !== undefined ? { error } : {}), startedAt };
      context.sink.sample(sample);
      failed = error !== undefined;
    }
    if (failed || context.signal.aborted) await context.runtime.forceRemove(container);
    rmSync(container.dir, { recursive: true, force: true });
    if (failed) outcome.failedReps += 1;
    else if (!warmup && !context.signal.aborted) outcome.measuredReps += 1;
  }
  return outcome;
}
