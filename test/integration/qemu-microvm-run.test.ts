import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findQemuPids } from '../../pipeline/run/runtimes/qemu/qemu-process.ts';
import { LIFECYCLE_PHASES, type Sample } from '../../pipeline/types.ts';
import { leftovers } from './host-leaks.ts';

const CLI = path.resolve('bin/crbench.js');
const MATRIX = `schemaVersion: 1
name: vm-it
parts:
  - name: tiny
    axes: { runtime: [qemu-microvm+tcg], storageDriver: [initramfs], filesystem: [ext4], image: [tiny], workload: [noop], lifecycle: [exec, command], concurrency: [1] }
  - name: grading
    axes: { runtime: [qemu-microvm+tcg], storageDriver: [disk-overlay], filesystem: [ext4], image: [grader], workload: [grade-python], lifecycle: [exec], concurrency: [1] }
repetitions: 2
warmup: 0
volumeSizeMiB: 1024
phaseTimeoutMs: 120000
`;

describe('qemu-microvm through crbench run, under TCG, and after a kill -9 (root)', function () {
  this.timeout(900_000);
  let workDir: string;
  let matrix: string;
  const env = () => ({ ...process.env, CRBENCH_WORK_DIR: workDir, CRBENCH_CACHE_DIR: process.env['CRBENCH_CACHE_DIR'] ?? '/var/cache/crbench-test-images' });

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-vm-');
    matrix = `${workDir}.yaml`;
    writeFileSync(matrix, MATRIX);
  });
  after(() => {
    if (workDir === undefined) return;
    spawnSync(process.execPath, [CLI, 'teardown'], { env: env() });
    for (const dir of [workDir, `${workDir}-results`, `${workDir}-killed`, matrix]) rmSync(dir, { recursive: true, force: true });
  });

  it('measures all five phases of tiny (both shapes) and of grade-python on grader, every one ok, with QEMU\'s memory', () => {
    const run = spawnSync(process.execPath, [CLI, 'run', matrix, '--results', `${workDir}-results`], { encoding: 'utf8', env: env(), timeout: 800_000 });
    assert.equal(run.status, 0, run.stderr);
    const samples = readFileSync(path.join(`${workDir}-results`, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Sample);
    assert.deepEqual(samples.filter((sample) => !sample.ok).map((sample) => `${sample.cellId} ${sample.phase}: ${sample.error}`), []);
    for (const cellId of ['qemu-microvm+tcg.initramfs.ext4.tiny.noop.exec.c1', 'qemu-microvm+tcg.initramfs.ext4.tiny.noop.command.c1', 'qemu-microvm+tcg.disk-overlay.ext4.grader.grade-python.exec.c1']) {
      assert.equal(samples.filter((sample) => sample.cellId === cellId && sample.kind === 'phase').length, 2 * LIFECYCLE_PHASES.length, cellId);
      const rss = samples.filter((sample) => sample.cellId === cellId && sample.kind === 'metric' && sample.phase === 'peak-memory').map((sample) => (sample.kind === 'metric' ? sample.value ?? 0 : 0));
      assert.ok(rss.length === 2 && rss.every((bytes) => bytes > 100 * 2 ** 20), `${cellId}: QEMU's RSS`);
    }
    assert.deepEqual(findQemuPids(workDir), []);
    assert.deepEqual(leftovers(workDir), []);
  });

  it('leaves no QEMU, mount or file behind after crbench is killed with SIGKILL mid-VM and torn down', async () => {
    const child = spawn(process.execPath, [CLI, 'run', matrix, '--results', `${workDir}-killed`], { env: env(), stdio: 'ignore' });
    const deadline = Date.now() + 300_000;
    while (findQemuPids(workDir).length === 0) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('no microVM ever started');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const teardown = spawnSync(process.execPath, [CLI, 'teardown'], { encoding: 'utf8', env: env() });
    assert.equal(teardown.status, 0, teardown.stderr);
    assert.deepEqual(findQemuPids(workDir), []);
    assert.deepEqual(leftovers(workDir), []);
  });
});
