import type { Executor } from './executor/executor.ts';
import { run } from './executor/steps.ts';
import { medianOf } from '../statistics/statistics.ts';

/** The cost of the clock itself, as the manifest records it. */
export interface HarnessOverhead {
  command: string;
  /** Runs that succeeded (a failed one is left out). */
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/**
 * `/bin/true` timed exactly the way a phase's step is (spawn to reap, in the native timer,
 * through `executor`). Every step's duration includes about this much that is not the
 * runtime's own; it is recorded with the results so a reader can subtract or compare (make
 * bench puts it next to hyperfine's figure for the same command).
 */
export async function measureHarnessOverhead(executor: Executor, runs = 30): Promise<HarnessOverhead> {
  const durationsMs: number[] = [];
  for (let attempt = 0; attempt < runs; attempt += 1) {
    const phase = await executor.runPhase([run('null operation', ['/bin/true'])], { deadlineMs: 10_000 });
    if (phase.ok) durationsMs.push(phase.durationMs);
  }
  return {
    command: '/bin/true',
    runs: durationsMs.length,
    medianMs: medianOf(durationsMs),
    minMs: durationsMs.length > 0 ? Math.min(...durationsMs) : Number.NaN,
    maxMs: durationsMs.length > 0 ? Math.max(...durationsMs) : Number.NaN,
  };
}
