import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { medianOf } from '../../pipeline/statistics/statistics.ts';
import { LIFECYCLE_PHASES, type PhaseSample, type Sample } from '../../pipeline/types.ts';
import { leftovers } from './host-leaks.ts';

const CLI = path.resolve('bin/crbench.js');

/** Both shapes on runc and on docker (its Engine API), alone and two at once: the run stage on real runtimes. */
const MATRIX = `schemaVersion: 1
name: shapes
parts:
  - name: alone
    axes: { runtime: [runc, docker], storageDriver: [overlay, overlay2], filesystem: [ext4], image: [tiny], workload: [noop], lifecycle: [exec, command], concurrency: [1] }
  - name: side-by-side
    axes: { runtime: [runc], storageDriver: [overlay], filesystem: [ext4], image: [tiny], workload: [noop], lifecycle: [exec], concurrency: [2] }
repetitions: 5
warmup: 1
blockRepetitions: 5
volumeSizeMiB: 1024
phaseTimeoutMs: 60000
`;

describe('both life-cycle shapes on runc and docker, one and two containers at once (root, real runtimes)', function () {
  this.timeout(600_000);
  let workDir: string;
  let resultsDir: string;
  let samples: Sample[];
  let status: number | null;
  let stderr: string;

  before(function () {
    // Not root: pending; on a root host (CI) mocha runs with --forbid-pending, so this never skips there.
    if (process.getuid?.() !== 0) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-shapes-');
    resultsDir = `${workDir}-results`;
    const matrix = path.join(`${workDir}-matrix.yaml`);
    writeFileSync(matrix, MATRIX);
    const env = { ...process.env, CRBENCH_WORK_DIR: workDir };
    const run = spawnSync(process.execPath, [CLI, 'run', matrix, '--results', resultsDir], { encoding: 'utf8', env, timeout: 540_000 });
    ({ status, stderr } = run);
    samples = readFileSync(path.join(resultsDir, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Sample);
  });

  after(() => {
    if (workDir === undefined) return;
    spawnSync(process.execPath, [CLI, 'teardown'], { env: { ...process.env, CRBENCH_WORK_DIR: workDir } });
    for (const dir of [workDir, resultsDir, `${workDir}-matrix.yaml`]) rmSync(dir, { recursive: true, force: true });
  });

  const phases = () => samples.filter((sample): sample is PhaseSample => sample.kind === 'phase' && !sample.warmup);

  it('measures every phase of every cell successfully', () => {
    assert.equal(status, 0, stderr);
    const failed = samples.filter((sample) => !sample.ok).map((sample) => `${sample.cellId} ${sample.phase}: ${sample.error}`);
    assert.deepEqual(failed, []);
    for (const cellId of ['runc.overlay.ext4.tiny.noop.exec.c1', 'runc.overlay.ext4.tiny.noop.command.c1', 'docker.overlay2.ext4.tiny.noop.exec.c1',
      'docker.overlay2.ext4.tiny.noop.command.c1', 'runc.overlay.ext4.tiny.noop.exec.c2']) {
      const slots = cellId.endsWith('c2') ? 2 : 1;
      assert.equal(phases().filter((sample) => sample.cellId === cellId).length, 5 * slots * LIFECYCLE_PHASES.length, cellId);
    }
  });

  it('gives every phase sample its steps, summing to the phase within 2%', () => {
    for (const sample of phases()) {
      const sum = sample.steps.reduce((total, step) => total + step.durationMs, 0);
      assert.ok(Math.abs(sum - sample.durationMs) <= 0.02 * sample.durationMs + 1e-9, `${sample.cellId} ${sample.phase}: steps ${sum} vs ${sample.durationMs}`);
    }
    const create = phases().find((sample) => sample.cellId === 'runc.overlay.ext4.tiny.noop.exec.c1' && sample.phase === 'create');
    assert.deepEqual(create?.steps.map((step) => step.label).filter((label) => label !== 'harness'), ['rootfs: mkdir', 'rootfs: mount overlay', 'runc create']);
    const execute = phases().find((sample) => sample.cellId === 'docker.overlay2.ext4.tiny.noop.exec.c1' && sample.phase === 'execute');
    assert.deepEqual(execute?.steps.map((step) => step.label).filter((label) => label !== 'harness'), ['POST /containers/exec', 'POST /exec/start', 'GET /exec/json']);
  });

  it('runs the workload in execute in the exec shape, and as the container itself in the command shape, whose stop does nothing', () => {
    const stopOf = (cellId: string) => phases().filter((sample) => sample.cellId === cellId && sample.phase === 'stop');
    for (const cellId of ['runc.overlay.ext4.tiny.noop.command.c1', 'docker.overlay2.ext4.tiny.noop.command.c1']) {
      assert.ok(stopOf(cellId).every((sample) => sample.steps.length === 0 && sample.durationMs === 0), cellId);
    }
    assert.ok(stopOf('runc.overlay.ext4.tiny.noop.exec.c1').every((sample) => sample.steps.some((step) => step.label === 'init exit')));
  });

  it('holds only container work in the makespan: at N = 1 within 1.25x of the sum of the phase medians', () => {
    for (const cellId of ['runc.overlay.ext4.tiny.noop.exec.c1', 'docker.overlay2.ext4.tiny.noop.exec.c1', 'docker.overlay2.ext4.tiny.noop.command.c1']) {
      const sumOfMedians = LIFECYCLE_PHASES.reduce((sum, phase) => sum + medianOf(phases().filter((sample) => sample.cellId === cellId && sample.phase === phase).map((sample) => sample.durationMs)), 0);
      const makespan = medianOf(samples.filter((sample) => sample.cellId === cellId && sample.phase === 'makespan' && !sample.warmup).map((sample) => sample.durationMs));
      assert.ok(makespan <= 1.25 * sumOfMedians && makespan >= 0.8 * sumOfMedians, `${cellId}: makespan ${makespan} vs ${sumOfMedians}`);
    }
  });

  it('at N = 2 runs the two containers side by side: a makespan shorter than their two life cycles one after the other', () => {
    const cellId = 'runc.overlay.ext4.tiny.noop.exec.c2';
    for (let rep = 0; rep < 5; rep += 1) {
      const batch = phases().filter((sample) => sample.cellId === cellId && sample.rep === rep);
      const serialMs = batch.reduce((sum, sample) => sum + sample.durationMs, 0);
      const makespan = samples.find((sample) => sample.cellId === cellId && sample.rep === rep && sample.phase === 'makespan' && !sample.warmup);
      assert.ok(makespan !== undefined && makespan.durationMs < serialMs, `rep ${rep}: makespan ${makespan?.durationMs} vs serial ${serialMs}`);
      assert.deepEqual([...new Set(batch.map((sample) => sample.slot))].sort(), [0, 1]);
    }
  });

  it('leaves no loop device, mount, process or state behind', () => {
    assert.deepEqual(leftovers(workDir), []);
  });
});
