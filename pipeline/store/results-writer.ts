import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { CommandRecord, LogEntry, Manifest, Sample } from '../types.ts';

/**
 * A results folder being written. Samples come a batch at a time (between batches, never
 * while a container is inside a clock) and are appended and fsynced together, so a crash
 * loses at most the batch in flight; the manifest is replaced atomically.
 */
export class ResultsWriter {
  readonly dir: string;
  private readonly samplesFd: number;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(path.join(dir, 'logs'), { recursive: true });
    this.samplesFd = openSync(path.join(dir, 'samples.jsonl'), 'a');
  }

  appendSample(sample: Sample): void {
    this.appendBatch([sample], []);
  }

  /** A batch's samples in one write and one fsync, then its logs. */
  appendBatch(samples: readonly Sample[], logs: readonly LogEntry[]): void {
    if (samples.length > 0) {
      writeSync(this.samplesFd, samples.map((sample) => `${JSON.stringify(sample)}\n`).join(''));
      fsyncSync(this.samplesFd);
    }
    for (const entry of logs) this.appendCommands(entry.cellId, entry.label, entry.records);
  }

  /** Appends what a phase ran, with its output, to the cell's log (never inside a clock). */
  appendCommands(cellId: string, label: string, records: CommandRecord[]): void {
    const lines = records.map((record) => {
      const how = record.failure ?? (record.signal !== null ? `signal ${record.signal}` : `exit ${record.exitCode}`);
      const output = [record.stdout.trimEnd(), record.stderr.trimEnd()].filter(Boolean).map((text) => `  | ${text.replace(/\n/g, '\n  | ')}`);
      return [`$ ${record.argv.join(' ')}`, `  ${how}, ${record.durationMs.toFixed(3)} ms`, ...output].join('\n');
    });
    appendFileSync(path.join(this.dir, 'logs', `${cellId}.log`), `# ${label}\n${lines.join('\n')}\n`);
  }

  writeManifest(manifest: Manifest): void {
    const target = path.join(this.dir, 'manifest.json');
    writeFileSync(`${target}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(`${target}.tmp`, target);
  }

  close(): void {
    closeSync(this.samplesFd);
  }
}
