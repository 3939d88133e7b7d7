import type { CommandRecord, LogEntry, Sample } from '../types.ts';
import type { StepRecord } from './executor/steps.ts';

export type { LogEntry } from '../types.ts';

/**
 * Where the runner hands what it measured (the store stage implements it). Samples and logs
 * come a batch at a time, between batches, so that no write or fsync ever runs while a
 * container is inside a clock.
 */
export interface SampleSink {
  batch(samples: Sample[], logs: LogEntry[]): void;
  /** A repetition (warm-up or measured) ended, for progress. */
  repetitionDone(cellId: string, ok: boolean): void;
}

/** A step record as the log shows it: an HTTP request's status joins its output. */
export function logRecordOf(record: StepRecord): CommandRecord {
  const status = record.httpStatus !== undefined ? `HTTP ${record.httpStatus}\n` : '';
  const stdout = `${status}${record.stdout.length > 4000 ? `${record.stdout.slice(0, 4000)}…` : record.stdout}`;
  return {
    argv: [`[${record.label}]`, ...record.what], durationMs: record.durationMs, exitCode: record.exitCode, signal: record.signal,
    stdout, stderr: record.stderr, ...(record.failure !== undefined ? { failure: record.failure } : {}),
  };
}
