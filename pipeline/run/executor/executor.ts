import type { PhaseRun, Step } from './steps.ts';

/**
 * The only thing in crbench that spawns, waits and times what is measured.
 *
 * ```
 *   run-cell ──steps──▶ Executor.runPhase ──request──▶ crbench-timer (C, one per run)
 *                                                       posix_spawn · wait4 · CLOCK_MONOTONIC
 *                                                       subreaper of everything it starts
 *   run-cell ◀─PhaseRun── read outputs, parse ◀─records─┘
 * ```
 * A phase's steps go to the timer in one request and run back to back there; the timer stamps
 * each step's start and end itself, so nothing Node does (another container's bookkeeping,
 * a write of samples, the event loop) falls inside a clock. Outputs are files opened before the
 * first step starts and read after the last one ends.
 */
export interface Executor {
  /**
   * Runs the steps one after another and stops at the first that fails (a non-zero exit that
   * is not judged elsewhere, a status not accepted, a deadline). Many phases may be in flight
   * at once (the containers of a batch); each is timed on its own.
   */
  runPhase(steps: readonly Step[], options: { deadlineMs: number }): Promise<PhaseRun>;
  /** CLOCK_MONOTONIC now, in ms: the clock every StepRecord is on (Node's hrtime is the same clock). */
  nowMs(): number;
  /** Waits for phases in flight, then ends the timer process. */
  close(): Promise<void>;
}
