import { quantileType7 } from '../../statistics/statistics.ts';

/** A submission as `serve` sees it, the moment it leaves the queue. */
export interface OpenLoopSubmission {
  /** Its place in arrival order (0-based), which is also its place in the FIFO queue. */
  index: number;
  /** ms from the start of the rate step. */
  intendedAtMs: number;
  dispatchedAtMs: number;
  /** Arrived in the warm-up window, which the analysis discards. */
  warmup: boolean;
}

interface RecordBase {
  index: number;
  intendedAtMs: number;
  warmup: boolean;
}

/**
 * What became of one submission, times in ms from the start of the step:
 * - `ok`: served; `result` is what `serve` returned (its service steps);
 * - `errored`: `serve` threw or rejected;
 * - `abandoned`: still in service at the drain bound (cancelled, if a cancel was given);
 * - `unserved`: still queued at the drain bound (never dispatched).
 */
export type OpenLoopRecord<R> =
  | (RecordBase & { state: 'ok'; dispatchedAtMs: number; doneAtMs: number; result: R })
  | (RecordBase & { state: 'errored'; dispatchedAtMs: number; doneAtMs: number; error: unknown })
  | (RecordBase & { state: 'abandoned'; dispatchedAtMs: number; doneAtMs: null })
  | (RecordBase & { state: 'unserved'; dispatchedAtMs: null; doneAtMs: null });

/** The state of a step for the live line, after every arrival and every completion. */
export interface OpenLoopProgress {
  /** ms since the start of the step. */
  atMs: number;
  arrived: number;
  total: number;
  queued: number;
  inService: number;
  done: number;
  /** p95 of latency (done − intended) of the submissions served so far; null before the first. */
  p95LatencyMs: number | null;
}

export interface OpenLoopOptions<R> {
  /** Intended arrival times, ms from the start of the step, ascending, each < warmupMs + measuredMs. */
  intendedMs: readonly number[];
  /** At most this many submissions in service at once (INGInious's agent `concurrency`). */
  slots: number;
  /** Serves one submission (the real one runs an INGInious task on a runtime). */
  serve: (submission: OpenLoopSubmission) => Promise<R>;
  /** A monotonic clock in ms (monotonicNowMs, or a fake one in tests). */
  clock: () => number;
  /** Resolves once clock() ≥ atMs; an aborted sleep need never settle (sleepUntilMonotonic). */
  sleepUntil: (atMs: number, signal?: AbortSignal) => Promise<void>;
  /** Arrivals before this are marked warm-up. */
  warmupMs: number;
  /** The measured window follows the warm-up: arrivals end at warmupMs + measuredMs. */
  measuredMs: number;
  /** After the arrivals end, how long to wait for the queue to empty before giving up on it. */
  maxDrainMs: number;
  /** Called for each submission abandoned in service at the drain bound (kill its containers). */
  cancel?: (submission: OpenLoopSubmission) => void | Promise<void>;
  /** How long to wait for the cancels to return; 5 s unless given. */
  cancelGraceMs?: number;
  onProgress?: (progress: OpenLoopProgress) => void;
}

/** One rate step, run. */
export interface OpenLoopStep<R> {
  /** One per intended arrival, in arrival order. */
  records: OpenLoopRecord<R>[];
  /** warmupMs + measuredMs: the end of the arrival window. */
  arrivalsEndMs: number;
  /** arrivalsEndMs + maxDrainMs: the bound nothing was waited for beyond. */
  deadlineMs: number;
  /** ms from the start of the step when it ended (before the cancels' grace). */
  endedAtMs: number;
  /** Every submission was served (ok or errored) before the deadline. */
  drained: boolean;
}

const DEFAULT_CANCEL_GRACE_MS = 5000;

/**
 * Runs one open-loop rate step: submissions arrive at their intended times whatever the
 * service does, wait in one FIFO queue, and are served `slots` at a time.
 *
 * ```
 *  intendedMs ──▶ 1 arrival timers (from the step's start, one clock) ──▶ FIFO queue
 *                                                                          │ 2 a slot frees
 *  records ◀── 4 drain bound: abandon / unserved ◀── 3 serve() ◀───────────┘
 * ```
 * 1. Every timer is set from the start of the step, never from a completion (as
 *    clusterloader2's PoissonLoad schedules), so slow service never delays an arrival; a late
 *    timer fires at once and the submission keeps its intended time, so the lateness counts as
 *    waiting instead of vanishing (no coordinated omission).
 * 2. A submission leaves the queue (dispatchedAt) the moment a slot is free, in arrival order.
 * 3. doneAt is taken when serve settles; a late settle after the bound is ignored.
 * 4. At warmupMs + measuredMs + maxDrainMs the step ends, whatever is still queued or in service.
 */
export async function runOpenLoop<R>(options: OpenLoopOptions<R>): Promise<OpenLoopStep<R>> {
  const { intendedMs, slots, serve, clock, sleepUntil, warmupMs, measuredMs, maxDrainMs, onProgress } = options;
  checkOptions(options);
  const total = intendedMs.length;
  const arrivalsEndMs = warmupMs + measuredMs;
  const deadlineMs = arrivalsEndMs + maxDrainMs;
  const startMs = clock();
  const sinceStart = () => clock() - startMs;

  const records: (OpenLoopRecord<R> | undefined)[] = new Array(total);
  const queue: number[] = [];
  let queueHead = 0;
  const inService = new Map<number, OpenLoopSubmission>();
  let arrived = 0;
  let done = 0;
  let closed = false;
  const servedLatenciesMs: number[] = [];
  let markIdle = () => {};
  const idle = new Promise<void>((resolve) => (markIdle = resolve));

  const report = () => {
    if (!onProgress) return;
    const p95LatencyMs = servedLatenciesMs.length > 0 ? quantileType7(servedLatenciesMs, 0.95) : null;
    onProgress({ atMs: sinceStart(), arrived, total, queued: queue.length - queueHead, inService: inService.size, done, p95LatencyMs });
  };
  const checkIdle = () => {
    if (arrived === total && inService.size === 0 && queueHead === queue.length) markIdle();
  };

  const complete = (submission: OpenLoopSubmission, outcome: { result: R } | { error: unknown }) => {
    if (closed) return;
    inService.delete(submission.index);
    const doneAtMs = sinceStart();
    const { index, intendedAtMs, dispatchedAtMs, warmup } = submission;
    const base = { index, intendedAtMs, warmup, dispatchedAtMs, doneAtMs };
    records[index] = 'result' in outcome ? { ...base, state: 'ok', result: outcome.result } : { ...base, state: 'errored', error: outcome.error };
    done += 1;
    // Kept only for the live line: an insertion per completion is O(n).
    if (onProgress && 'result' in outcome) insertSorted(servedLatenciesMs, doneAtMs - intendedAtMs);
    dispatch();
    report();
    checkIdle();
  };

  // 2, 3: fill the free slots from the head of the queue.
  const dispatch = () => {
    while (!closed && inService.size < slots && queueHead < queue.length) {
      const index = queue[queueHead++]!;
      const intendedAtMs = intendedMs[index]!;
      const submission: OpenLoopSubmission = { index, intendedAtMs, dispatchedAtMs: sinceStart(), warmup: intendedAtMs < warmupMs };
      inService.set(index, submission);
      let service: Promise<R>;
      try {
        service = Promise.resolve(serve(submission));
      } catch (error) {
        service = Promise.reject(error);
      }
      service.then(
        (result) => complete(submission, { result }),
        (error: unknown) => complete(submission, { error }),
      );
    }
  };

  // 1: the arrivals, each on its own intended time.
  const stopArrivals = new AbortController();
  const arrivals = (async () => {
    for (let index = 0; index < total && !closed; index++) {
      await sleepUntil(startMs + intendedMs[index]!, stopArrivals.signal);
      if (closed) break;
      queue.push(index);
      arrived += 1;
      dispatch();
      report();
    }
    checkIdle();
  })();

  // 4: whichever comes first, an empty system or the drain bound.
  const stopDeadline = new AbortController();
  await Promise.race([arrivals.then(() => idle), sleepUntil(startMs + deadlineMs, stopDeadline.signal)]);
  stopDeadline.abort();
  stopArrivals.abort();
  closed = true;
  const endedAtMs = sinceStart();
  const drained = done === total;

  const cancels: Promise<void>[] = [];
  for (const submission of inService.values()) {
    const { index, intendedAtMs, dispatchedAtMs, warmup } = submission;
    records[index] = { index, intendedAtMs, warmup, state: 'abandoned', dispatchedAtMs, doneAtMs: null };
    if (options.cancel) cancels.push(Promise.resolve().then(() => options.cancel!(submission)));
  }
  for (let index = 0; index < total; index++) {
    if (records[index]) continue;
    const intendedAtMs = intendedMs[index]!;
    records[index] = { index, intendedAtMs, warmup: intendedAtMs < warmupMs, state: 'unserved', dispatchedAtMs: null, doneAtMs: null };
  }
  if (cancels.length > 0) {
    const stopGrace = new AbortController();
    await Promise.race([Promise.allSettled(cancels), sleepUntil(clock() + (options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS), stopGrace.signal)]);
    stopGrace.abort();
  }
  return { records: records as OpenLoopRecord<R>[], arrivalsEndMs, deadlineMs, endedAtMs, drained };
}

function checkOptions(options: OpenLoopOptions<unknown>): void {
  const { intendedMs, slots, warmupMs, measuredMs, maxDrainMs } = options;
  if (!(Number.isInteger(slots) && slots >= 1)) throw new RangeError(`an open loop needs a whole number of slots ≥ 1, not ${slots}`);
  for (const [name, value] of [['warmupMs', warmupMs], ['measuredMs', measuredMs], ['maxDrainMs', maxDrainMs]] as const) {
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be finite and ≥ 0, not ${value}`);
  }
  intendedMs.forEach((atMs, i) => {
    if (!(atMs >= 0 && atMs < warmupMs + measuredMs)) throw new RangeError(`arrival ${i} at ${atMs} ms is outside the arrival window [0, ${warmupMs + measuredMs})`);
    if (i > 0 && atMs < intendedMs[i - 1]!) throw new RangeError(`arrival ${i} at ${atMs} ms comes before arrival ${i - 1}: intended times must ascend`);
  });
}

/** Keeps `sorted` ascending: a binary search for the place, then one splice. */
function insertSorted(sorted: number[], value: number): void {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  sorted.splice(low, 0, value);
}
