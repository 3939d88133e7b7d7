import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../errors.ts';
import { LIFECYCLE_PHASES, SAMPLES_SCHEMA_VERSION, type HostFacts, type Manifest, type Sample } from '../types.ts';

export interface ResumeState {
  /** Measured repetitions each cell has, complete or failed: the next one to run is this number. */
  doneReps: Map<string, number>;
  /** The samples kept, for adaptive stopping to start from. */
  samples: Sample[];
  /** What was set aside, for the user to hear about. */
  setAside: { tornLines: number; partialSamples: number };
  /** The load experiment's rate steps that are whole (`cellId/rateStepIndex/repeat`): a resumed run skips them. */
  doneLoadSteps: Set<string>;
}

/** What must be equal for two runs to be one measurement: the same machine, as far as crbench can tell. */
export function hostFingerprint(host: HostFacts): string {
  return [host.cpuModel, host.cores, host.memoryBytes, host.kernel, host.distribution, host.cgroupMode].join(' | ');
}

/** Refuses to continue a run of another matrix or from another host, unless forced, and one of another samples format always. */
export function assertResumable(previous: Manifest, current: { matrixSha256: string; host: HostFacts }, force: boolean): void {
  // Two formats in one samples.jsonl could never be read back as one run: not even --force mixes them.
  if (previous.schemaVersion !== SAMPLES_SCHEMA_VERSION) {
    throw new CrbenchError('RESUME_SCHEMA_CHANGED',
      `the results folder was written in schemaVersion ${String(previous.schemaVersion)}, and this crbench writes ${SAMPLES_SCHEMA_VERSION}: ` +
      'its samples cannot be continued; measure again into a new --results folder', { exitCode: 2 });
  }
  if (force) return;
  if (previous.matrixSha256 !== current.matrixSha256) {
    throw new CrbenchError('RESUME_MATRIX_CHANGED',
      `the results folder holds a run of another matrix (sha256 ${previous.matrixSha256.slice(0, 12)}, now ${current.matrixSha256.slice(0, 12)}): ` +
      'use a new --results folder, or --force to mix them', { exitCode: 2 });
  }
  if (hostFingerprint(previous.host) !== hostFingerprint(current.host)) {
    throw new CrbenchError('RESUME_HOST_CHANGED',
      `the results folder was measured on another host (${hostFingerprint(previous.host)}; this one is ${hostFingerprint(current.host)}): ` +
      'use a new --results folder, or --force to mix them', { exitCode: 2 });
  }
}

const repKey = (sample: Sample) => `${sample.cellId}\u0000${sample.block}\u0000${sample.warmup}\u0000${sample.rep}`;

/**
 * Prepares a results folder to be continued. Lines that do not parse (a torn last line
 * after a crash) go to samples.torn.jsonl; the samples of a repetition that was cut short
 * (no makespan and no failure: the run died in the middle of it) go to
 * samples.partial.jsonl. Nothing is deleted; samples.jsonl keeps only whole repetitions, so
 * the resumed run adds no duplicate (cell, rep, phase).
 */
export function prepareResume(resultsDir: string): ResumeState {
  const samplesPath = path.join(resultsDir, 'samples.jsonl');
  const lines = existsSync(samplesPath) ? readFileSync(samplesPath, 'utf8').split('\n').filter((line) => line.trim() !== '') : [];
  const parsed: Sample[] = [];
  const torn: string[] = [];
  for (const line of lines) {
    try {
      parsed.push(JSON.parse(line) as Sample);
    } catch {
      torn.push(line);
    }
  }
  // A repetition is whole once its batch's makespan is written, or once one of its phases
  // failed (a failed batch gets no makespan); phases without either were cut short.
  const samplesOfRep = new Map<string, Sample[]>();
  for (const sample of parsed.filter((candidate) => (LIFECYCLE_PHASES as readonly string[]).includes(candidate.phase) || candidate.phase === 'makespan')) {
    samplesOfRep.set(repKey(sample), [...(samplesOfRep.get(repKey(sample)) ?? []), sample]);
  }
  const isWhole = (samples: Sample[]) => samples.some((sample) => sample.phase === 'makespan' || !sample.ok);
  const cutShort = new Set([...samplesOfRep].filter(([, samples]) => !isWhole(samples)).map(([key]) => key));
  // A load rate step is written in one batch after it ended; one with fewer lines than it says it has was torn, and runs again whole.
  const loadStepOf = (sample: Sample) => (sample.kind === 'load' ? `${sample.cellId}/${sample.rateStepIndex}/${sample.repeat}` : undefined);
  const loadSteps = new Map<string, { count: number; expected: number }>();
  for (const sample of parsed) {
    const key = loadStepOf(sample);
    if (key === undefined || sample.kind !== 'load') continue;
    const entry = loadSteps.get(key) ?? { count: 0, expected: sample.stepSubmissions };
    loadSteps.set(key, { count: entry.count + 1, expected: entry.expected });
  }
  const tornLoadSteps = new Set([...loadSteps].filter(([, entry]) => entry.count !== entry.expected).map(([key]) => key));
  const isCutShort = (sample: Sample) => cutShort.has(repKey(sample)) || tornLoadSteps.has(loadStepOf(sample) ?? '');
  const kept = parsed.filter((sample) => !isCutShort(sample));
  const partial = parsed.filter(isCutShort);
  if (torn.length > 0) appendFileSync(path.join(resultsDir, 'samples.torn.jsonl'), `${torn.join('\n')}\n`);
  if (partial.length > 0) appendFileSync(path.join(resultsDir, 'samples.partial.jsonl'), `${partial.map((sample) => JSON.stringify(sample)).join('\n')}\n`);
  if (torn.length > 0 || partial.length > 0) {
    writeFileSync(`${samplesPath}.tmp`, kept.map((sample) => `${JSON.stringify(sample)}\n`).join(''));
    renameSync(`${samplesPath}.tmp`, samplesPath);
  }
  const doneReps = new Map<string, number>();
  for (const [key, samples] of samplesOfRep) {
    const first = samples[0];
    if (cutShort.has(key) || first === undefined || first.warmup) continue;
    doneReps.set(first.cellId, Math.max(doneReps.get(first.cellId) ?? 0, first.rep + 1));
  }
  const doneLoadSteps = new Set([...loadSteps.keys()].filter((key) => !tornLoadSteps.has(key)));
  return { doneReps, samples: kept, setAside: { tornLines: torn.length, partialSamples: partial.length }, doneLoadSteps };
}
