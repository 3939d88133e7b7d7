/**
 * A fake monotonic clock for open-loop tests: time stands still while anything can still run
 * (microtasks), and jumps to the earliest pending timer once nothing can (checked with
 * setImmediate, which runs only after the microtask queue is empty). A simulated hour of
 * arrivals then takes milliseconds, and the result is the same on every run.
 */
export class VirtualClock {
  #nowMs: number;
  #lagMs: number;
  #timers: { atMs: number; resolve: () => void }[] = [];
  #pumpScheduled = false;

  /** @param options.lagMs every timer fires this much late (a busy event loop). */
  constructor(options: { startMs?: number; lagMs?: number } = {}) {
    this.#nowMs = options.startMs ?? 0;
    this.#lagMs = options.lagMs ?? 0;
  }

  readonly now = (): number => this.#nowMs;

  /** The same contract as sleepUntilMonotonic: an aborted sleep never settles. */
  readonly sleepUntil = (atMs: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal?.aborted) return;
      const onAbort = () => {
        const index = this.#timers.indexOf(timer);
        if (index >= 0) this.#timers.splice(index, 1);
      };
      const timer = {
        atMs: atMs + this.#lagMs,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      // Ordered by time, then by when set: equal times fire first come, first served.
      let at = this.#timers.length;
      while (at > 0 && this.#timers[at - 1]!.atMs > timer.atMs) at--;
      this.#timers.splice(at, 0, timer);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#schedulePump();
    });

  /** Sleeps `ms` of virtual time: the fake service of a submission. */
  sleep(ms: number): Promise<void> {
    return this.sleepUntil(this.#nowMs + ms);
  }

  /** Moves time on at once, as a blocking call would: timers now past fire as soon as they can. */
  jump(ms: number): void {
    this.#nowMs += ms;
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      const timer = this.#timers.shift();
      if (!timer) return;
      this.#nowMs = Math.max(this.#nowMs, timer.atMs);
      timer.resolve();
      if (this.#timers.length > 0) this.#schedulePump();
    });
  }
}
