import type { CommandRecord, Sample } from '../types.ts';

/** Where the runner hands what it measured, as it measures it (the store stage implements it). */
export interface SampleSink {
  sample(sample: Sample): void;
  /** Every command a phase ran, with its output, for post-mortems. */
  commands(cellId: string, label: string, records: CommandRecord[]): void;
  /** A repetition (warm-up or measured) ended, for progress. */
  repetitionDone(cellId: string, ok: boolean): void;
}
