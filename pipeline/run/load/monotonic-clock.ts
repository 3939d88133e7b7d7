/**
 * The real clock of a load step: CLOCK_MONOTONIC in ms, the clock the executor stamps its step
 * records on (process.hrtime is the same clock), so a submission's service steps and its
 * intendedAt / dispatchedAt / doneAt can be laid on one time line.
 */

/** CLOCK_MONOTONIC now, in ms (fractional, ns resolution). */
export function monotonicNowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Resolves once monotonicNowMs() ≥ atMs; at once for a time already past (a late timer fires
 * immediately, and its caller keeps the time it intended).
 * Node's timers count whole ms on a loop time that can run ahead of hrtime, so a timer may
 * fire a little early: it then waits again for the rest. Aborting clears the timer and the
 * promise never settles: an aborted sleep is one nobody waits for any more.
 */
export function sleepUntilMonotonic(atMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => clearTimeout(timer);
    const check = () => {
      const remainingMs = atMs - monotonicNowMs();
      if (remainingMs <= 0) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      timer = setTimeout(check, Math.ceil(remainingMs));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}
