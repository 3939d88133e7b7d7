import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readResults } from '../../pipeline/store/read-results.ts';
import { ResultsWriter } from '../../pipeline/store/results-writer.ts';
import type { Manifest, Sample } from '../../pipeline/types.ts';
import { metricSample, phaseSample, setupSample, type SampleCell } from '../fixtures/results/make-sample.ts';

const runc: SampleCell = { id: 'runc.copy.ext4.tiny.noop.exec.c1', groupId: 'runc.copy.ext4', runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop', concurrency: 1 };
const sample = (rep: number): Sample => phaseSample(runc, 'launch', 10 + rep, { rep, steps: [{ label: 'runc start', durationMs: 10 + rep }], startMs: 1000 * rep, startedAt: '2026-01-01T00:00:00.000Z' });

describe('ResultsWriter and readResults()', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-store-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back every sample appended, in order, with the manifest', () => {
    const writer = new ResultsWriter(dir);
    writer.writeManifest({ schemaVersion: 2, cells: [] } as unknown as Manifest);
    for (const rep of [0, 1, 2]) writer.appendSample(sample(rep));
    writer.close();
    const results = readResults(dir);
    assert.deepEqual(results.samples.map((s) => s.rep), [0, 1, 2]);
    assert.equal(results.setAsideLines, 0);
  });

  it('sets a torn last line aside and keeps every complete sample', () => {
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 2 }));
    writeFileSync(path.join(dir, 'samples.jsonl'), `${JSON.stringify(sample(0))}\n${JSON.stringify(sample(1))}\n`);
    appendFileSync(path.join(dir, 'samples.jsonl'), JSON.stringify(sample(2)).slice(0, 40));
    const results = readResults(dir);
    assert.equal(results.samples.length, 2);
    assert.equal(results.setAsideLines, 1);
  });

  it('writes a batch of samples of every kind in one append and reads each back as written', () => {
    const batch: Sample[] = [
      setupSample(runc, 'provision-volume', 400, { steps: [{ label: 'mkfs.ext4', durationMs: 400 }] }),
      sample(0),
      phaseSample(runc, 'execute', 3, { facts: { seccomp: 2, sandboxKilled: false } }),
      metricSample(runc, 'peak-memory', 2 ** 20),
    ];
    const writer = new ResultsWriter(dir);
    writer.writeManifest({ schemaVersion: 2, cells: [] } as unknown as Manifest);
    writer.appendBatch(batch, [{ cellId: runc.id, label: 'rep 0 launch', records: [{ argv: ['runc', 'start', 'x'], durationMs: 10, exitCode: 0, signal: null, stdout: '', stderr: '' }] }]);
    writer.appendBatch([], []);
    writer.close();
    assert.deepEqual(readResults(dir).samples, batch);
    assert.match(readFileSync(path.join(dir, 'logs', `${runc.id}.log`), 'utf8'), /# rep 0 launch\n\$ runc start x\n/);
  });

  it('refuses a folder measured by crbench 0.1 (schemaVersion 1) with exit 2, saying to measure it again', () => {
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 1, cells: [] }));
    writeFileSync(path.join(dir, 'samples.jsonl'), '');
    assert.throws(() => readResults(dir), (error: Error & { code: string; exitCode: number }) =>
      error.code === 'BAD_MANIFEST' && error.exitCode === 2 && /schemaVersion 1; this crbench reads 2/.test(error.message) && /measure it again/.test(error.message));
  });

  it('refuses a schemaVersion it does not know with exit 2, naming the one it reads', () => {
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 3, cells: [] }));
    assert.throws(() => readResults(dir), (error: Error & { code: string; exitCode: number }) =>
      error.code === 'BAD_MANIFEST' && error.exitCode === 2 && /schemaVersion 3; this crbench reads 2$/.test(error.message));
  });

  it('refuses a folder without a manifest, saying how to get one', () => {
    assert.throws(() => readResults(dir), (error: Error & { code: string }) => error.code === 'NO_RESULTS' && /crbench run/.test(error.message));
  });

  it('logs every command of a phase with its exit and output', () => {
    const writer = new ResultsWriter(dir);
    writer.appendCommands('cell', 'rep 0 create', [{ argv: ['runc', 'create', 'x'], durationMs: 12.5, exitCode: 1, signal: null, stdout: '', stderr: 'no such file' }]);
    writer.close();
    const log = readFileSync(path.join(dir, 'logs', 'cell.log'), 'utf8');
    assert.match(log, /# rep 0 create\n\$ runc create x\n {2}exit 1, 12.500 ms\n {2}\| no such file/);
  });
});
