import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probeHost } from '../../pipeline/host/probe-host.ts';
import { requiredBinaries, STORAGE_DRIVER_SUPPORT } from '../../pipeline/plan/feasibility.ts';
import { planCells } from '../../pipeline/plan/plan-cells.ts';
import { LIFECYCLE_PHASES, type Matrix, type Sample } from '../../pipeline/types.ts';
import { leftovers } from './host-leaks.ts';

const CLI = path.resolve('bin/crbench.js');
const FILESYSTEMS = ['ext4', 'xfs', 'btrfs', 'zfs'];

function crbench(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 });
}

/** Every storage driver the feasibility table pairs with `runtime`. */
function driversOf(runtime: string): string[] {
  return Object.entries(STORAGE_DRIVER_SUPPORT).filter(([, rows]) => rows.some((row) => row.runtimes.includes(runtime))).map(([driver]) => driver);
}

function matrixOf(name: string, runtime: string, drivers: string[], filesystems: string[], repetitions: number): Matrix {
  return {
    schemaVersion: 1, name, axes: { runtime: [runtime], storageDriver: drivers, filesystem: filesystems, image: ['tiny'], workload: ['noop'], concurrency: [1] },
    repetitions, warmup: 0, volumeSizeMiB: 512, phaseTimeoutMs: 60_000, seed: 1,
  } as Matrix;
}

function writeMatrix(file: string, matrix: Matrix): void {
  const { axes } = matrix;
  const list = (values: (string | number)[]) => `[${values.join(', ')}]`;
  writeFileSync(file, [
    'schemaVersion: 1', `name: ${matrix.name}`, 'axes:',
    `  runtime: ${list(axes.runtime)}`, `  storageDriver: ${list(axes.storageDriver)}`, `  filesystem: ${list(axes.filesystem)}`,
    `  image: ${list(axes.image)}`, `  workload: ${list(axes.workload)}`, `  concurrency: ${list(axes.concurrency)}`,
    `repetitions: ${matrix.repetitions}`, `warmup: ${matrix.warmup}`, `volumeSizeMiB: ${matrix.volumeSizeMiB}`, `phaseTimeoutMs: ${matrix.phaseTimeoutMs}`, '',
  ].join('\n'));
}

/** Runtime processes naming the work directory: lxd, LXC monitors and lxc-start, runsc's sandbox and gofer. */
function runtimeProcesses(workDir: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' }).split('\n').filter((line) => {
    const [, stat = '', ...args] = line.trim().split(/\s+/);
    const command = args.join(' ');
    return !stat.startsWith('Z') && command.includes(workDir) && /\blxd\b|lxc-start|lxc monitor|runsc/.test(command) && !command.includes('ps -eo');
  });
}

/** Everything a run may leave: the shared checks, runtime processes, LXC's lock files for the work directory. */
function allLeftovers(workDir: string): string[] {
  const lockDir = path.join('/run/lxc/lock', workDir);
  return [...leftovers(workDir), ...runtimeProcesses(workDir), ...(existsSync(lockDir) ? [`LXC lock files in ${lockDir}`] : [])];
}

const clientConfig = path.join(os.homedir(), '.config', 'lxc');

for (const runtime of ['runsc', 'lxc', 'lxd']) {
  describe(`crbench run: every feasible ${runtime} storage driver × filesystem, one noop repetition (root)`, function () {
    this.timeout(240_000);
    let workDir: string;
    let resultsDir: string;
    let matrixPath: string;
    let feasible: string[] = [];
    let run: ReturnType<typeof crbench>;
    let clientConfigBefore: boolean;

    before(function () {
      if (process.getuid?.() !== 0) this.skip();
      const matrix = matrixOf(`it-${runtime}`, runtime, driversOf(runtime), FILESYSTEMS, 1);
      feasible = planCells(matrix, probeHost(requiredBinaries())).filter((cell) => cell.feasible).map((cell) => cell.id);
      if (feasible.length === 0) this.skip();
      workDir = mkdtempSync(`/var/tmp/crbench-it-${runtime}-`);
      resultsDir = `${workDir}-results`;
      matrixPath = `${workDir}-matrix.yaml`;
      writeMatrix(matrixPath, matrix);
      clientConfigBefore = existsSync(clientConfig);
      run = crbench(['run', matrixPath, '--results', resultsDir], { CRBENCH_WORK_DIR: workDir });
    });

    after(() => {
      if (workDir === undefined) return;
      crbench(['teardown', '--purge-cache'], { CRBENCH_WORK_DIR: workDir });
      for (const target of [workDir, resultsDir, matrixPath]) rmSync(target, { recursive: true, force: true });
    });

    it('exits 0', () => {
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    });

    it('measures every phase of every feasible cell, every sample ok', () => {
      const samples = readFileSync(path.join(resultsDir, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Sample);
      assert.deepEqual(samples.filter((sample) => !sample.ok).map((sample) => `${sample.cellId} ${sample.phase}: ${sample.error}`), []);
      for (const cellId of feasible) {
        const phases = samples.filter((sample) => sample.cellId === cellId && (LIFECYCLE_PHASES as readonly string[]).includes(sample.phase)).map((sample) => sample.phase);
        assert.deepEqual([...phases].sort(), [...LIFECYCLE_PHASES].sort(), cellId);
      }
      const measuredGroups = new Set(samples.filter((sample) => sample.phase === 'import-image').map((sample) => sample.groupId));
      assert.equal(measuredGroups.size, new Set(feasible.map((id) => id.split('.').slice(0, 3).join('.'))).size);
    });

    it('leaves no loop device, mount, runtime process, volume or LXC lock file behind, and never touches the host\'s LXD client configuration', () => {
      assert.deepEqual(allLeftovers(workDir), []);
      assert.equal(existsSync(clientConfig), clientConfigBefore);
    });
  });
}

describe('crbench teardown after a run killed with SIGKILL while an LXD container runs (root)', function () {
  this.timeout(180_000);
  let workDir: string;
  let resultsDir: string;
  let matrixPath: string;

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    const matrix = matrixOf('it-lxd-kill', 'lxd', ['dir'], ['ext4'], 50);
    if (!planCells(matrix, probeHost(requiredBinaries())).some((cell) => cell.feasible)) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-it-lxd-kill-');
    resultsDir = `${workDir}-results`;
    matrixPath = `${workDir}-matrix.yaml`;
    writeMatrix(matrixPath, matrix);
  });

  after(() => {
    if (workDir === undefined) return;
    crbench(['teardown', '--purge-cache'], { CRBENCH_WORK_DIR: workDir });
    for (const target of [workDir, resultsDir, matrixPath]) rmSync(target, { recursive: true, force: true });
  });

  it('removes the daemon, its containers, mounts and loop device the dead run left', async () => {
    const child = spawn(process.execPath, [CLI, 'run', matrixPath, '--results', resultsDir], { env: { ...process.env, CRBENCH_WORK_DIR: workDir }, stdio: 'ignore' });
    // An LXD container of a measured repetition is running when its LXC monitor names it.
    const containerRuns = () => runtimeProcesses(workDir).some((line) => /\[lxc monitor\] .*\/lxd\/containers tiny-noop-/.test(line));
    const deadline = Date.now() + 120_000;
    while (!containerRuns()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the run never reached a running LXD container');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const left = allLeftovers(workDir);
    assert.ok(left.some((line) => /\blxd\b/.test(line)), `the kill should have left lxd running: ${left.join('; ')}`);
    const teardown = crbench(['teardown'], { CRBENCH_WORK_DIR: workDir });
    assert.equal(teardown.status, 0, teardown.stderr);
    assert.deepEqual(allLeftovers(workDir), []);
    const again = crbench(['teardown'], { CRBENCH_WORK_DIR: workDir });
    assert.equal(again.status, 0, 'teardown is idempotent');
  });
});
