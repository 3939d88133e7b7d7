import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mergeResults } from '../../pipeline/store/merge-results.ts';
import type { Cell, HostFacts, Manifest, Sample } from '../../pipeline/types.ts';
import { phaseSample } from '../fixtures/results/make-sample.ts';

const host = { cpuModel: 'EPYC', cores: 2, memoryBytes: 8, kernel: 'Linux 6', distribution: 'Debian 12', cgroupMode: 'hybrid' } as HostFacts;
const cell = (runtime: string): Cell => ({
  id: `${runtime}.copy.ext4.tiny.noop.exec.c1`, groupId: `${runtime}.copy.ext4`, runtime, storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop',
  lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency: 1, feasible: true,
});
const matrix = {
  axes: { runtime: ['runc', 'crun'], storageDriver: ['copy'], filesystem: ['ext4'], image: ['tiny'], workload: ['noop'], lifecycle: ['exec'], netns: ['fresh'], cgroup: ['fresh'], concurrency: [1] },
  hosts: 'one',
};

function folder(root: string, name: string, cells: Cell[], extra: Partial<Manifest> = {}): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const manifest = { schemaVersion: 2, matrixSha256: 'a'.repeat(64), matrix, host, cells, filesystems: {}, workarounds: {}, phaseCommands: {}, startedAt: `2026-01-0${name.length}T00:00:00Z`, endedAt: '2026-01-09T00:00:00Z', ...extra };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const samples: Sample[] = cells.map((entry) => phaseSample(entry, 'launch', 3));
  writeFileSync(path.join(dir, 'samples.jsonl'), samples.map((sample) => `${JSON.stringify(sample)}\n`).join(''));
  writeFileSync(path.join(dir, 'logs', `${name}.log`), 'log');
  return dir;
}

describe('mergeResults()', () => {
  let root: string;
  beforeEach(() => { root = mkdtempSync(path.join(os.tmpdir(), 'crbench-merge-')); });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('unites disjoint shards: cells in plan order, every sample, every log, and where each came from', () => {
    const merged = mergeResults(path.join(root, 'out'), [folder(root, 'b', [cell('crun')]), folder(root, 'aa', [cell('runc')])]);
    assert.deepEqual(merged.cells.map((entry) => entry.runtime), ['runc', 'crun']);
    assert.equal(readFileSync(path.join(root, 'out', 'samples.jsonl'), 'utf8').trim().split('\n').length, 2);
    assert.equal(merged.mergedFrom?.length, 2);
    assert.equal(merged.startedAt, '2026-01-01T00:00:00Z');
    assert.equal(readFileSync(path.join(root, 'out', 'logs', 'aa.log'), 'utf8'), 'log');
  });

  it('refuses folders of different matrices', () => {
    assert.throws(() => mergeResults(path.join(root, 'out'), [folder(root, 'a', [cell('runc')]), folder(root, 'b', [cell('crun')], { matrixSha256: 'b'.repeat(64) })]), { code: 'MERGE_MATRIX_MISMATCH', exitCode: 2 });
  });

  it('refuses folders of different hosts when the matrix says one host, and accepts them when it says many', () => {
    const other = { host: { ...host, cpuModel: 'Xeon' } };
    assert.throws(() => mergeResults(path.join(root, 'out'), [folder(root, 'a', [cell('runc')]), folder(root, 'b', [cell('crun')], other)]), { code: 'MERGE_HOST_MISMATCH' });
    const many = { matrix: { ...matrix, hosts: 'many' } } as unknown as Partial<Manifest>;
    assert.doesNotThrow(() => mergeResults(path.join(root, 'out2'), [folder(root, 'c', [cell('runc')], many), folder(root, 'dd', [cell('crun')], { ...many, ...other })]));
  });

  it('refuses two folders that measured the same cells, or one folder given twice', () => {
    assert.throws(() => mergeResults(path.join(root, 'out'), [folder(root, 'a', [cell('runc')]), folder(root, 'b', [cell('runc')])]), { code: 'MERGE_OVERLAP' });
    const a = path.join(root, 'a');
    assert.throws(() => mergeResults(path.join(root, 'out'), [a, `${a}/`]), { code: 'MERGE_OVERLAP' });
  });

  it('refuses to write into a folder that is not empty', () => {
    const out = folder(root, 'full', [cell('runc')]);
    assert.throws(() => mergeResults(out, [folder(root, 'a', [cell('runc')])]), { code: 'MERGE_OUT_EXISTS' });
  });
});
