import assert from 'node:assert/strict';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { IMAGES } from '../../provision/images/index.ts';
import { LIFECYCLE_PHASES, type LoadSample, type PhaseSample, type Sample } from '../../pipeline/types.ts';
import { leftovers } from './host-leaks.ts';

const CLI = path.resolve('bin/crbench.js');
/** As in workloads.test.ts: the grader image outlives the test (a debootstrap takes ~45 s). */
const IMAGE_CACHE = process.env['CRBENCH_TEST_IMAGE_CACHE'] ?? '/var/cache/crbench-test-images';

function crbench(args: string[], workDir: string) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CRBENCH_WORK_DIR: workDir }, timeout: 600_000 });
}

async function seededWorkDir(prefix: string): Promise<string> {
  const workDir = mkdtempSync(prefix);
  const built = await IMAGES['grader']!.build(IMAGE_CACHE, path.join(workDir, 'scratch'));
  const target = path.join(workDir, 'cache', 'images', path.basename(built.tarballPath));
  mkdirSync(path.dirname(target), { recursive: true });
  try {
    linkSync(built.tarballPath, target);
  } catch {
    copyFileSync(built.tarballPath, target);
  }
  return workDir;
}

const samplesOf = (dir: string) => readFileSync(path.join(dir, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Sample);

describe('inginious-task on runc and docker (root, real loop devices)', function () {
  this.timeout(900_000);
  let workDir: string;
  let resultsDir: string;
  let run: ReturnType<typeof crbench>;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    workDir = await seededWorkDir('/var/tmp/crbench-inginious-');
    resultsDir = `${workDir}-results`;
    const matrix = path.join(workDir, 'inginious.yaml');
    writeFileSync(matrix, ['schemaVersion: 1', 'name: inginious-it', 'axes:', '  runtime: [runc, docker]', '  storageDriver: [overlay, overlay2]',
      '  filesystem: [ext4]', '  image: [grader]', '  workload: [inginious-task, inginious-task-python]', '  lifecycle: [command]', '  concurrency: [1]',
      'repetitions: 2', 'warmup: 0', 'volumeSizeMiB: 2048', ''].join('\n'));
    run = crbench(['run', matrix, '--results', resultsDir], workDir);
  });

  after(() => {
    if (workDir === undefined) return;
    crbench(['teardown'], workDir);
    for (const dir of [workDir, resultsDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0', () => {
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  });

  it('grades every submission with the exact score, both containers removed and the folder deleted', () => {
    const phases = samplesOf(resultsDir).filter((sample): sample is PhaseSample => sample.kind === 'phase');
    const cells = [...new Set(phases.map((sample) => sample.cellId))].sort();
    assert.deepEqual(cells, [
      'docker.overlay2.ext4.grader.inginious-task-python.command.c1', 'docker.overlay2.ext4.grader.inginious-task.command.c1',
      'runc.overlay.ext4.grader.inginious-task-python.command.c1', 'runc.overlay.ext4.grader.inginious-task.command.c1',
    ]);
    // ok on execute: the score was exactly the expected one; ok on clean: the grading container's removal succeeded and the folder is gone.
    assert.deepEqual(phases.filter((sample) => !sample.ok).map((sample) => `${sample.cellId} ${sample.phase}: ${sample.error}`), []);
    assert.equal(phases.length, cells.length * 2 * LIFECYCLE_PHASES.length);
  });

  it('records both containers\' steps, summing to each phase', () => {
    for (const sample of samplesOf(resultsDir).filter((entry): entry is PhaseSample => entry.kind === 'phase')) {
      const labels = sample.steps.map((step) => step.label.split(':')[0] ?? '');
      if (sample.phase === 'create') assert.deepEqual(labels.filter((label) => label.startsWith('task')), ['task', 'task', 'task'], sample.cellId);
      if (sample.phase === 'execute') {
        // `grading run` shows only when the grader asked after its start had returned (not while Docker's POST start was in flight).
        for (const part of ['grading start', 'student create', 'student start', 'student run', 'student remove', 'grading exit']) {
          assert.ok(labels.includes(part), `${sample.cellId} execute has no ${part}: ${labels.join(', ')}`);
        }
      }
      if (sample.phase === 'clean') assert.deepEqual([labels[0], labels.at(-1)], ['grading remove', 'task'], sample.cellId);
      const sumMs = sample.steps.reduce((total, step) => total + step.durationMs, 0);
      assert.ok(Math.abs(sumMs - sample.durationMs) <= 0.02 * sample.durationMs + 0.01, `${sample.cellId} ${sample.phase}: ${sumMs} vs ${sample.durationMs}`);
    }
  });

  it('leaves no container, loop device, mount, process or folder behind', () => {
    assert.deepEqual(leftovers(workDir), []);
  });
});

describe('a 20-second open-loop load step on runc (root, real loop devices)', function () {
  this.timeout(600_000);
  let workDir: string;
  let resultsDir: string;
  let run: ReturnType<typeof crbench>;
  let elapsedMs = 0;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    workDir = await seededWorkDir('/var/tmp/crbench-load-');
    resultsDir = `${workDir}-results`;
    const matrix = path.join(workDir, 'load.yaml');
    writeFileSync(matrix, ['schemaVersion: 1', 'name: load-it', 'axes:', '  runtime: [runc]', '  storageDriver: [copy]', '  filesystem: [ext4]',
      '  image: [tiny]', '  workload: [noop]', '  concurrency: [1]', 'repetitions: 1', 'warmup: 0', 'volumeSizeMiB: 2048',
      'load:', '  runtimes: [{runtime: runc}]', '  ratesPerSecond: [3]', '  warmupS: 5', '  durationS: 15', '  maxDrainS: 10', '  slots: 2', '  calibrationSubmissions: 2', ''].join('\n'));
    const startMs = performance.now();
    run = crbench(['run', matrix, '--results', resultsDir], workDir);
    elapsedMs = performance.now() - startMs;
  });

  after(() => {
    if (workDir === undefined) return;
    crbench(['teardown'], workDir);
    for (const dir of [workDir, resultsDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 within the arrivals, the drain bound and the setup', () => {
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.ok(elapsedMs < 240_000, `the run took ${elapsedMs} ms`);
  });

  it('records every submission with its intended, dispatched and done times on one clock, graded', () => {
    const load = samplesOf(resultsDir).filter((sample): sample is LoadSample => sample.kind === 'load');
    const step = load.filter((sample) => sample.rateStepIndex === 0);
    assert.equal(load.filter((sample) => sample.rateStepIndex === -1).length, 2, 'the calibration');
    // Poisson arrivals at 3/s over 20 s: about 60, never a handful.
    assert.ok(step.length > 30 && step.length < 100, `${step.length} arrivals`);
    assert.ok(step.every((sample) => sample.stepSubmissions === step.length && sample.ratePerSecond === 3 && sample.slots === 2));
    assert.deepEqual(step.filter((sample) => !sample.ok).map((sample) => sample.error), []);
    for (const sample of step) {
      assert.ok(sample.dispatchedAtMs !== null && sample.doneAtMs !== null);
      assert.ok(sample.intendedAtMs >= 0 && sample.intendedAtMs < 20_000);
      assert.ok(sample.dispatchedAtMs >= sample.intendedAtMs - 1 && sample.doneAtMs > sample.dispatchedAtMs);
      assert.equal(sample.warmup, sample.intendedAtMs < 5000);
      assert.deepEqual(Object.keys(sample.phasesMs ?? {}), [...LIFECYCLE_PHASES]);
    }
  });

  it('renders a summary with the load series', () => {
    const report = crbench(['report', resultsDir, '--out', path.join(workDir, 'report')], workDir);
    assert.equal(report.status, 0, report.stderr);
  });

  it('leaves no container, loop device, mount, process or folder behind', () => {
    assert.deepEqual(leftovers(workDir), []);
  });
});
