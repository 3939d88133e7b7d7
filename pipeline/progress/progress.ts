/**
 * What a run tells its user while it goes: how far, what now, how fast, how long still.
 * The run calls these; where the words go (a live line on a terminal, plain lines in CI)
 * is decided by the reporter the CLI picks.
 */
export interface Progress {
  /** Before the first unit: how much work there is. */
  start(totals: { units: number; repetitions: number }): void;
  /** A unit (a group's block) begins. */
  unitStart(label: string): void;
  /** One repetition of a cell ended (warm-ups count: they take time too). */
  repetitionDone(cellId: string, ok: boolean): void;
  /** A cell's repetitions in a unit ended. */
  cellDone(line: string): void;
  /** Anything else worth a line: setup, stale leftovers, warnings. */
  note(line: string): void;
  /** The run ended: the final summary. */
  finish(summary: RunSummary): void;
  /** The state of a load rate step (its rate, queue length, p95 so far), for the live line; called often. */
  loadStatus?(text: string): void;
}

export interface RunSummary {
  cellsDone: number;
  cellsSkipped: number;
  cellsErrored: number;
  repetitions: number;
  failedRepetitions: number;
  elapsedMs: number;
  interrupted: boolean;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** ETA from the measured pace: the time per repetition so far, times what is left. */
export function estimateRemainingMs(doneRepetitions: number, totalRepetitions: number, elapsedMs: number): number {
  if (doneRepetitions === 0) return Number.NaN;
  return (elapsedMs / doneRepetitions) * Math.max(0, totalRepetitions - doneRepetitions);
}

export function formatStatus(state: { units: number; unitsDone: number; repetitions: number; repetitionsDone: number; label: string; elapsedMs: number }): string {
  const percent = state.repetitions === 0 ? 100 : Math.floor((100 * state.repetitionsDone) / state.repetitions);
  const rate = state.elapsedMs > 0 ? (1000 * state.repetitionsDone) / state.elapsedMs : 0;
  const eta = formatDuration(estimateRemainingMs(state.repetitionsDone, state.repetitions, state.elapsedMs));
  return `[${state.unitsDone}/${state.units}] ${percent}% ${state.label} · ${rate.toFixed(1)} reps/s · ETA ${eta}`;
}

export function formatSummary(summary: RunSummary): string {
  const how = summary.interrupted ? 'interrupted' : 'done';
  return `${how}: ${summary.cellsDone} cells measured, ${summary.cellsSkipped} skipped, ${summary.cellsErrored} with errors; ` +
    `${summary.repetitions} repetitions (${summary.failedRepetitions} failed) in ${formatDuration(summary.elapsedMs)}`;
}

/**
 * The reporter for a stream: on a terminal, one status line redrawn in place with the
 * cell lines scrolling above it; otherwise (CI, a pipe) plain lines only, one per cell,
 * each with the ETA, so a log shows progress without control characters.
 */
export function createProgress(stream: { isTTY?: boolean; write(text: string): unknown }, now: () => number = () => performance.now()): Progress {
  const startMs = now();
  const state = { units: 0, unitsDone: -1, repetitions: 0, repetitionsDone: 0, label: '', elapsedMs: 0 };
  const live = stream.isTTY === true;
  const status = () => formatStatus({ ...state, unitsDone: Math.max(0, state.unitsDone), elapsedMs: now() - startMs });
  const line = (text: string) => stream.write(live ? `\r\x1b[K${text}\n${status()}` : `${text}\n`);
  return {
    start(totals) {
      state.units = totals.units;
      state.repetitions = totals.repetitions;
      line(`${totals.units} units of work, ${totals.repetitions} repetitions`);
    },
    unitStart(label) {
      state.unitsDone += 1;
      state.label = label;
      if (live) stream.write(`\r\x1b[K${status()}`);
    },
    repetitionDone() {
      state.repetitionsDone += 1;
      if (live) stream.write(`\r\x1b[K${status()}`);
    },
    cellDone(text) {
      const eta = formatDuration(estimateRemainingMs(state.repetitionsDone, state.repetitions, now() - startMs));
      line(live ? text : `[${state.repetitionsDone}/${state.repetitions} reps, ETA ${eta}] ${text}`);
    },
    note: (text) => line(text),
    loadStatus(text) {
      // Only the live line shows it: a plain log would get a line per arrival.
      state.label = text;
      if (live) stream.write(`\r\x1b[K${status()}`);
    },
    finish(summary) {
      stream.write(live ? `\r\x1b[K${formatSummary(summary)}\n` : `${formatSummary(summary)}\n`);
    },
  };
}
