import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { LIFECYCLE_PHASES, type Manifest, type Sample } from '../../pipeline/types.ts';
import { leftovers } from './host-leaks.ts';

const CLI = path.resolve('bin/crbench.js');

function containerPresent(workDir: string): boolean {
  const mounts = path.join(workDir, 'mnt');
  if (!existsSync(path.join(workDir, 'runtime-state')) || !existsSync(mounts)) return false;
  return readdirSync(mounts).some((group) => {
    const containers = path.join(mounts, group, 'containers');
    return existsSync(containers) && readdirSync(containers).length > 0;
  });
}

function crbench(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
}

describe('crbench run on experiments/quick.yaml (root, real loop devices)', function () {
  this.timeout(300_000);
  let workDir: string;
  let resultsDir: string;
  let reportDir: string;
  let env: NodeJS.ProcessEnv;
  let run: ReturnType<typeof crbench>;

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-it-');
    resultsDir = mkdtempSync('/var/tmp/crbench-results-');
    rmSync(resultsDir, { recursive: true });
    reportDir = `${resultsDir}-report`;
    env = { CRBENCH_WORK_DIR: workDir };
    run = crbench(['run', 'experiments/quick.yaml', '--results', resultsDir], env);
  });

  after(() => {
    if (workDir === undefined) return;
    crbench(['teardown', '--purge-cache'], env);
    for (const dir of [workDir, resultsDir, reportDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0', () => {
    assert.equal(run.status, 0, run.stderr);
  });

  it('measures every phase of every repetition of every feasible cell, all successfully', () => {
    const manifest = JSON.parse(readFileSync(path.join(resultsDir, 'manifest.json'), 'utf8')) as Manifest;
    const samples = readFileSync(path.join(resultsDir, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Sample);
    const feasible = manifest.cells.filter((cell) => cell.feasible);
    assert.ok(feasible.some((cell) => cell.runtime === 'runc') && feasible.some((cell) => cell.runtime === 'crun'));
    for (const cell of feasible) {
      const cellSamples = samples.filter((sample) => sample.cellId === cell.id && (LIFECYCLE_PHASES as readonly string[]).includes(sample.phase));
      assert.equal(cellSamples.length, (manifest.matrix.warmup + manifest.matrix.repetitions) * LIFECYCLE_PHASES.length, cell.id);
      assert.deepEqual(cellSamples.filter((sample) => !sample.ok).map((sample) => sample.error), [], cell.id);
      assert.equal(cellSamples.filter((sample) => sample.warmup).length, manifest.matrix.warmup * LIFECYCLE_PHASES.length);
      // A phase with nothing to do (the command shape's stop) takes no time; every other one does.
      assert.ok(cellSamples.every((sample) => sample.durationMs > 0 || (sample.kind === 'phase' && sample.steps.length === 0)), cell.id);
    }
    assert.ok(samples.some((sample) => sample.phase === 'provision-volume') && samples.some((sample) => sample.phase === 'import-image'));
  });

  it('records provenance: versions asked from the binaries, filesystems as formatted, the crun workaround where applied', () => {
    const manifest = JSON.parse(readFileSync(path.join(resultsDir, 'manifest.json'), 'utf8')) as Manifest;
    assert.match(manifest.toolVersions['runc'] ?? '', /runc version/);
    assert.match(manifest.toolVersions['crun'] ?? '', /crun version/);
    assert.ok(manifest.filesystems['xfs']?.mkfsArgs.includes('reflink=1'));
    assert.ok(manifest.endedAt !== null && manifest.matrixSha256.length === 64);
    if (manifest.host.cgroupMode === 'hybrid') assert.equal(manifest.workarounds['crun']?.length, 1);
    assert.ok(existsSync(path.join(resultsDir, 'logs', `${manifest.cells[0]?.id}.log`)));
  });

  it('leaves no loop device, mount, process or volume behind', () => {
    assert.deepEqual(leftovers(workDir), []);
  });

  it('renders the report from the results alone', () => {
    const report = crbench(['report', resultsDir, '--out', reportDir], {});
    assert.equal(report.status, 0, report.stderr);
    const chapter5 = readFileSync(path.join(reportDir, 'chapter5.md'), 'utf8');
    // Answer first: the opening paragraph names the fastest configuration of the ranking.
    const opening = chapter5.split('\n\n')[1] ?? '';
    assert.match(opening, /(runc|crun) · copy · (ext4|xfs|btrfs)/);
    assert.match(chapter5, /## Interpretation[\s\S]*### Is crun faster than runc\?/);
    for (const file of ['chapter4.md', 'appendix.md', 'chapter4.tex', 'chapter5.tex', 'appendix.tex', 'numbers.tex', 'tables/per-configuration.csv']) {
      assert.ok(existsSync(path.join(reportDir, file)), file);
    }
    assert.match(readFileSync(path.join(reportDir, 'numbers.tex'), 'utf8'), /\\providecommand\{\\crbRecommendedConfiguration\}/);
    assert.match(readFileSync(path.join(reportDir, 'measurements.html'), 'utf8'), /<svg/);
    if (existsSync(path.join(reportDir, 'measurements.pdf'))) assert.ok(existsSync(path.join(reportDir, 'chapter5.pdf')));
  });

  it('continues a finished folder without measuring anything again', () => {
    const before = readFileSync(path.join(resultsDir, 'samples.jsonl'), 'utf8');
    const again = crbench(['run', 'experiments/quick.yaml', '--results', resultsDir], env);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /continuing .*measured repetitions kept/);
    assert.equal(readFileSync(path.join(resultsDir, 'samples.jsonl'), 'utf8'), before);
  });

  it('refuses to continue a folder with other settings, with exit 2', () => {
    const other = crbench(['run', 'experiments/quick.yaml', '--results', resultsDir, '--seed', '99'], env);
    assert.equal(other.status, 2);
    assert.match(other.stderr, /other --shard\/--only\/--reps\/--seed settings/);
  });
});

/** Conditions on the work directory that mark a moment worth killing a run at. */
const KILL_POINTS: { name: string; reached: (workDir: string, stderr: string) => boolean }[] = [
  { name: 'during provisioning', reached: (workDir) => existsSync(path.join(workDir, 'volumes')) && readdirSync(path.join(workDir, 'volumes')).some((file) => file.endsWith('.json')) && !existsSync(path.join(workDir, 'runtime-state')) },
  { name: 'during a phase', reached: (workDir) => containerPresent(workDir) },
  { name: 'while a unit is torn down', reached: (_workDir, stderr) => / block \d+: \d+ measured/.test(stderr) },
];

describe('chaos: crbench run killed with SIGKILL, torn down, and resumed (root)', function () {
  this.timeout(600_000);
  let workDir: string;
  let resultsDir: string;

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-kill-');
    resultsDir = `${workDir}-results`;
  });

  after(() => {
    if (workDir === undefined) return;
    crbench(['teardown', '--purge-cache'], { CRBENCH_WORK_DIR: workDir });
    for (const dir of [workDir, resultsDir]) rmSync(dir, { recursive: true, force: true });
  });

  for (const point of KILL_POINTS) {
    it(`leaves nothing behind after teardown when killed ${point.name}`, async () => {
      const child = spawn(process.execPath, [CLI, 'run', 'experiments/quick.yaml', '--results', resultsDir],
        { env: { ...process.env, CRBENCH_WORK_DIR: workDir }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      const deadline = Date.now() + 120_000;
      while (!point.reached(workDir, stderr)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the run never got ${point.name}: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const teardown = crbench(['teardown'], { CRBENCH_WORK_DIR: workDir });
      assert.equal(teardown.status, 0, teardown.stderr);
      assert.deepEqual(leftovers(workDir), []);
      assert.equal(crbench(['teardown'], { CRBENCH_WORK_DIR: workDir }).status, 0, 'teardown is idempotent');
    });
  }

  it('then completes the run, with every (cell, rep, phase) exactly once', () => {
    const resumed = crbench(['run', 'experiments/quick.yaml', '--results', resultsDir], { CRBENCH_WORK_DIR: workDir });
    assert.equal(resumed.status, 0, resumed.stderr);
    const manifest = JSON.parse(readFileSync(path.join(resultsDir, 'manifest.json'), 'utf8')) as Manifest;
    const samples = readFileSync(path.join(resultsDir, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Sample);
    const measured = samples.filter((sample) => !sample.warmup && (LIFECYCLE_PHASES as readonly string[]).includes(sample.phase));
    const keys = measured.map((sample) => `${sample.cellId} ${sample.rep} ${sample.phase}`);
    assert.equal(new Set(keys).size, keys.length, 'a (cell, rep, phase) appears twice');
    for (const cell of manifest.cells.filter((candidate) => candidate.feasible)) {
      for (let rep = 0; rep < manifest.matrix.repetitions; rep += 1) {
        for (const phase of LIFECYCLE_PHASES) assert.ok(keys.includes(`${cell.id} ${rep} ${phase}`), `${cell.id} rep ${rep} ${phase} is missing`);
      }
    }
    assert.ok(manifest.endedAt !== null && (manifest.resumedAt?.length ?? 0) >= 1);
    assert.deepEqual(leftovers(workDir), []);
  });
});
