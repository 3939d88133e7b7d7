import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertResumable, prepareResume } from '../../pipeline/store/resume-results.ts';
import { LIFECYCLE_PHASES, type HostFacts, type Manifest, type Sample } from '../../pipeline/types.ts';
import { sampleOf, type SampleCell, type SampleOptions } from '../fixtures/results/make-sample.ts';

const CELL = 'runc.copy.ext4.tiny.noop.exec.c1';
const runc: SampleCell = { id: CELL, groupId: 'runc.copy.ext4', runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop', concurrency: 1 };
function sample(rep: number, phase: Sample['phase'], extra: SampleOptions & { concurrency?: number } = {}): Sample {
  const { concurrency, ...options } = extra;
  return sampleOf({ ...runc, concurrency: concurrency ?? 1 }, phase, 5, { rep, startedAt: '2026-01-01T00:00:00Z', ...options });
}
const wholeRep = (rep: number) => [...LIFECYCLE_PHASES.map((phase) => sample(rep, phase)), sample(rep, 'makespan')];

describe('prepareResume()', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-resume-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (lines: string[]) => writeFileSync(path.join(dir, 'samples.jsonl'), `${lines.join('\n')}\n`);
  const keys = () => readFileSync(path.join(dir, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => {
    const parsed = JSON.parse(line) as Sample;
    return `${parsed.rep}:${parsed.phase}`;
  });

  it('counts whole repetitions as done, and a failed one too (it ends at its failed phase)', () => {
    write([...wholeRep(0), ...wholeRep(1), JSON.stringify(sample(2, 'create', { error: 'boom' }))].map((entry) => typeof entry === 'string' ? entry : JSON.stringify(entry)));
    assert.equal(prepareResume(dir).doneReps.get(CELL), 3);
  });

  it('after a crash mid-repetition, sets its samples aside and runs that repetition again, so nothing is duplicated', () => {
    write([...wholeRep(0), sample(1, 'create'), sample(1, 'launch')].map((entry) => JSON.stringify(entry)));
    const state = prepareResume(dir);
    assert.equal(state.doneReps.get(CELL), 1);
    assert.equal(state.setAside.partialSamples, 2);
    assert.deepEqual(keys(), [...LIFECYCLE_PHASES.map((phase) => `0:${phase}`), '0:makespan']);
    assert.equal(readFileSync(path.join(dir, 'samples.partial.jsonl'), 'utf8').trim().split('\n').length, 2);
  });

  it('sets a torn last line aside into samples.torn.jsonl and keeps every whole sample', () => {
    write([...wholeRep(0).map((entry) => JSON.stringify(entry)), JSON.stringify(sample(1, 'create')).slice(0, 30)]);
    const state = prepareResume(dir);
    assert.equal(state.setAside.tornLines, 1);
    assert.equal(state.samples.length, 6);
    assert.ok(existsSync(path.join(dir, 'samples.torn.jsonl')));
  });

  it('takes a batch of several containers as whole only once its makespan is written', () => {
    const batch = [0, 1].flatMap((slot) => LIFECYCLE_PHASES.map((phase) => sample(0, phase, { slot, concurrency: 2 })));
    write(batch.map((entry) => JSON.stringify(entry)));
    assert.equal(prepareResume(dir).doneReps.get(CELL), undefined);
    write([...batch, sample(0, 'makespan', { concurrency: 2 })].map((entry) => JSON.stringify(entry)));
    assert.equal(prepareResume(dir).doneReps.get(CELL), 1);
  });

  it('does not count warm-ups as done repetitions', () => {
    write([...LIFECYCLE_PHASES, 'makespan' as const].map((phase) => JSON.stringify(sample(0, phase, { warmup: true }))));
    assert.equal(prepareResume(dir).doneReps.get(CELL), undefined);
  });
});

describe('assertResumable()', () => {
  const host = { cpuModel: 'EPYC', cores: 2, memoryBytes: 1, kernel: 'Linux 6', distribution: 'Debian 12', cgroupMode: 'hybrid' } as HostFacts;
  const previous = { schemaVersion: 2, matrixSha256: 'a'.repeat(64), host } as Manifest;

  it('accepts the same matrix on the same host', () => {
    assert.doesNotThrow(() => assertResumable(previous, { matrixSha256: 'a'.repeat(64), host }, false));
  });

  it('refuses a changed matrix or another host with exit 2, unless forced', () => {
    assert.throws(() => assertResumable(previous, { matrixSha256: 'b'.repeat(64), host }, false), { code: 'RESUME_MATRIX_CHANGED', exitCode: 2 });
    assert.throws(() => assertResumable(previous, { matrixSha256: 'a'.repeat(64), host: { ...host, cores: 64 } }, false), { code: 'RESUME_HOST_CHANGED' });
    assert.doesNotThrow(() => assertResumable(previous, { matrixSha256: 'b'.repeat(64), host }, true));
  });

  it('refuses a folder of crbench 0.1 (schemaVersion 1) with exit 2, even forced: its samples cannot join the new ones', () => {
    const old = { ...previous, schemaVersion: 1 } as unknown as Manifest;
    for (const force of [false, true]) {
      assert.throws(() => assertResumable(old, { matrixSha256: 'a'.repeat(64), host }, force), (error: Error & { code: string; exitCode: number }) =>
        error.code === 'RESUME_SCHEMA_CHANGED' && error.exitCode === 2 && /new --results folder/.test(error.message));
    }
  });
});
