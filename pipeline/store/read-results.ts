import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../errors.ts';
import { SAMPLES_SCHEMA_VERSION, type Manifest, type Sample } from '../types.ts';

export interface ResultsFolder {
  manifest: Manifest;
  samples: Sample[];
  /** Lines that were not a complete sample (a torn last line after a crash), set aside. */
  setAsideLines: number;
}

function isSample(value: unknown): value is Sample {
  const candidate = value as Partial<Sample> | null;
  return typeof candidate === 'object' && candidate !== null && candidate.schemaVersion === SAMPLES_SCHEMA_VERSION
    && typeof candidate.cellId === 'string' && typeof candidate.phase === 'string'
    && typeof candidate.durationMs === 'number' && typeof candidate.ok === 'boolean';
}

/** Reads a results folder; a line that does not parse as a sample is counted, never fatal. */
export function readResults(dir: string): ResultsFolder {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new CrbenchError('NO_RESULTS', `${dir} is not a results folder: it has no manifest.json (run 'crbench run' first)`, { exitCode: 2 });
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (error) {
    throw new CrbenchError('BAD_MANIFEST', `${manifestPath} is not valid JSON: ${(error as Error).message}`, { exitCode: 2, cause: error });
  }
  if (manifest.schemaVersion !== SAMPLES_SCHEMA_VERSION) {
    const older = manifest.schemaVersion === 1
      ? ': it was measured by crbench 0.1, whose clocks held harness time (see CHANGELOG.md); measure it again (make rerun)' : '';
    throw new CrbenchError('BAD_MANIFEST', `${manifestPath} has schemaVersion ${String(manifest.schemaVersion)}; this crbench reads ${SAMPLES_SCHEMA_VERSION}${older}`, { exitCode: 2 });
  }
  const samplesPath = path.join(dir, 'samples.jsonl');
  const lines = existsSync(samplesPath) ? readFileSync(samplesPath, 'utf8').split('\n').filter((line) => line.trim() !== '') : [];
  const samples: Sample[] = [];
  let setAsideLines = 0;
  for (const line of lines) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (isSample(parsed)) samples.push(parsed);
      else setAsideLines += 1;
    } catch {
      setAsideLines += 1;
    }
  }
  return { manifest, samples, setAsideLines };
}
