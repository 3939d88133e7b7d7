import { timePhase } from './phase-steps.ts';

/**
 * The cost of the clock itself: `/bin/true` timed exactly the way a phase is (spawn to
 * exit, through timePhase). Every phase duration includes about this much that is not the
 * runtime's; it is recorded with the results so a reader can subtract or compare.
 */
export async function measureHarnessOverhead(scratchDir: string, runs = 30): Promise<{ command: string; runs: number; medianMs: number; minMs: number; maxMs: number }> {
  const durations: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const outcome = await timePhase([{ kind: 'run', argv: ['/bin/true'] }], { scratchDir, deadlineMs: 10_000 });
    if (outcome.ok) durations.push(outcome.durationMs);
  }
  const sorted = durations.sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const medianMs = sorted.length % 2 === 1 ? (sorted[Math.floor(middle)] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
  return { command: '/bin/true', runs: sorted.length, medianMs, minMs: sorted[0] ?? Number.NaN, maxMs: sorted.at(-1) ?? Number.NaN };
}
