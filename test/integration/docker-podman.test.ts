import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cgroupParentOf } from '../../provision/cgroups.ts';
import { DOCKERD_HOST_PATHS } from '../../provision/daemons/dockerd.ts';
import { cgroupDirs } from '../../provision/daemons/leftovers.ts';
import { probeHost } from '../../pipeline/host/probe-host.ts';
import { requiredBinaries } from '../../pipeline/plan/feasibility.ts';
import { planCells } from '../../pipeline/plan/plan-cells.ts';
import { PODMAN_HOST_PATHS } from '../../pipeline/run/runtimes/podman.ts';
import { LIFECYCLE_PHASES, type Cell, type Manifest, type Matrix, type Sample } from '../../pipeline/types.ts';
import { leftovers } from './host-leaks.ts';

const CLI = path.resolve('bin/crbench.js');
const RUNTIMES = ['docker', 'docker-cli', 'podman'];
/** Every storage driver any of the three may name; the plan keeps the combinations that fit. */
const DRIVERS = ['overlay2', 'overlay', 'btrfs', 'zfs', 'vfs', 'devicemapper', 'fuse-overlayfs'];
const FILESYSTEMS = ['ext4', 'xfs', 'btrfs', 'zfs'];
const DAEMONS = /(^|\/)(dockerd|containerd|containerd-shim[\w-]*|conmon)$/;

function matrixOf(name: string, axes: Partial<Matrix['axes']>, extra: Record<string, number> = {}): Matrix {
  return {
    schemaVersion: 1, name,
    axes: { runtime: RUNTIMES, storageDriver: DRIVERS, filesystem: FILESYSTEMS, image: ['tiny'], workload: ['noop'], concurrency: [1], ...axes },
    repetitions: 1, warmup: 0, volumeSizeMiB: 512, phaseTimeoutMs: 60_000, seed: 1, ...extra,
  } as Matrix;
}

/** The matrix as YAML (JSON is YAML), with only the keys the schema knows. */
function writeMatrix(file: string, matrix: Matrix): void {
  const { schemaVersion, name, axes, repetitions, warmup, volumeSizeMiB, phaseTimeoutMs } = matrix;
  writeFileSync(file, JSON.stringify({ schemaVersion, name, axes, repetitions, warmup, volumeSizeMiB, phaseTimeoutMs }, null, 2));
}

function crbench(args: string[], workDir: string) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CRBENCH_WORK_DIR: workDir }, timeout: 300_000 });
}

/** dockerd, containerd, containerd-shim and conmon processes (zombies aside) whose command line names the work dir. */
function daemonsOf(workDir: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' }).split('\n').filter((line) => {
    const [, stat = '', command = '', ...args] = line.trim().split(/\s+/);
    return !stat.startsWith('Z') && DAEMONS.test(command) && [command, ...args].join(' ').includes(workDir);
  });
}

/** Every cgroup below the work directory's tree, in any hierarchy. */
function cgroupsOf(workDir: string): string[] {
  return cgroupDirs(cgroupParentOf(workDir));
}

function feasibleCells(matrix: Matrix): Cell[] {
  return planCells(matrix, probeHost(requiredBinaries())).filter((cell) => cell.feasible);
}

describe('docker, docker-cli and podman on every feasible driver and filesystem (root, real loop devices)', function () {
  this.timeout(300_000);
  let workDir: string;
  let resultsDir: string;
  let cells: Cell[];
  let run: ReturnType<typeof crbench>;
  let absentBefore: string[];

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    const matrix = matrixOf('docker-podman-it', {});
    cells = feasibleCells(matrix);
    if (cells.length === 0) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-dp-');
    resultsDir = `${workDir}-results`;
    absentBefore = [...DOCKERD_HOST_PATHS, ...PODMAN_HOST_PATHS].filter((candidate) => !existsSync(candidate));
    writeMatrix(path.join(workDir, 'matrix.yaml'), matrix);
    // One matrix, one run: every feasible runtime × driver × filesystem, one repetition each.
    run = crbench(['run', path.join(workDir, 'matrix.yaml'), '--results', resultsDir], workDir);
  });

  after(() => {
    if (workDir === undefined) return;
    crbench(['teardown'], workDir);
    for (const dir of [workDir, resultsDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('plans every runtime on this host', () => {
    for (const runtime of RUNTIMES) assert.ok(cells.some((cell) => cell.runtime === runtime), `no feasible ${runtime} cell`);
  });

  it('exits 0 and measures every phase of every feasible cell, all successfully', () => {
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const samples = readFileSync(path.join(resultsDir, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Sample);
    assert.deepEqual(samples.filter((sample) => !sample.ok).map((sample) => `${sample.cellId} ${sample.phase}: ${sample.error}`), []);
    for (const cell of cells) {
      const phases = samples.filter((sample) => sample.cellId === cell.id && (LIFECYCLE_PHASES as readonly string[]).includes(sample.phase));
      assert.deepEqual(phases.map((sample) => sample.phase).sort(), [...LIFECYCLE_PHASES].sort(), cell.id);
      for (const step of ['start-runtime', 'import-image']) {
        assert.ok(samples.some((sample) => sample.groupId === cell.groupId && sample.phase === step && sample.ok), `${cell.groupId}: no ${step}`);
      }
    }
  });

  it('records the phases\' requests and commands, with the limits, and the workarounds applied', () => {
    const manifest = JSON.parse(readFileSync(path.join(resultsDir, 'manifest.json'), 'utf8')) as Manifest;
    const dockerPhases = Object.entries(manifest.phaseCommands).find(([key]) => key.startsWith('docker/'))?.[1];
    assert.match(dockerPhases?.create ?? '', /POST \/v1\.41\/containers\/create.*"PidsLimit": 256.*"NetworkMode": "none"/);
    const podmanPhases = Object.entries(manifest.phaseCommands).find(([key]) => key.startsWith('podman/'))?.[1];
    assert.match(podmanPhases?.create ?? '', /--pids-limit 256/);
    if (manifest.host.cgroupMode === 'hybrid') assert.ok(manifest.workarounds['podman']?.some((text) => /--runtime runc/.test(text)));
  });

  it('leaves no loop device, mount, daemon, shim, conmon, cgroup or state behind, nor the host paths it made', () => {
    assert.deepEqual(leftovers(workDir), []);
    assert.deepEqual(daemonsOf(workDir), []);
    assert.deepEqual(cgroupsOf(workDir), []);
    assert.deepEqual(absentBefore.filter((candidate) => existsSync(candidate)), []);
  });
});

/** Starts a docker run of the cpu workload and SIGKILLs crbench as soon as a container runs. */
async function killMidContainer(workDir: string, resultsDir: string): Promise<Cell | undefined> {
  const matrix = matrixOf('docker-kill-it', { runtime: ['docker'], storageDriver: ['overlay2', 'vfs'], filesystem: ['ext4'], workload: ['cpu'] }, { repetitions: 20 });
  const [cell] = feasibleCells(matrix);
  if (cell === undefined) return undefined;
  writeMatrix(path.join(workDir, 'matrix.yaml'), { ...matrix, axes: { ...matrix.axes, storageDriver: [cell.storageDriver] } });
  const child = spawn(process.execPath, [CLI, 'run', path.join(workDir, 'matrix.yaml'), '--results', resultsDir],
    { env: { ...process.env, CRBENCH_WORK_DIR: workDir }, stdio: 'ignore' });
  // A container runs when a cgroup below the group's holds a process (the cpu workload runs a while).
  const containerRuns = () => cgroupsOf(workDir).some((dir) => {
    try {
      return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').trim() !== '';
    } catch {
      return false;
    }
  });
  const deadline = Date.now() + 120_000;
  while (!containerRuns()) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the run never reached a running container');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return cell;
}

function assertTornDown(workDir: string): void {
  const teardown = crbench(['teardown'], workDir);
  assert.equal(teardown.status, 0, teardown.stderr);
  assert.deepEqual(leftovers(workDir), []);
  assert.deepEqual(daemonsOf(workDir), []);
  assert.deepEqual(cgroupsOf(workDir), []);
  assert.equal(crbench(['teardown'], workDir).status, 0, 'teardown is idempotent');
}

describe('crbench teardown after a docker run killed with SIGKILL mid-container (root)', function () {
  this.timeout(300_000);
  let workDir: string;
  let resultsDir: string;

  beforeEach(function () {
    if (process.getuid?.() !== 0) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-dpk-');
    resultsDir = `${workDir}-results`;
  });

  afterEach(() => {
    if (workDir === undefined) return;
    crbench(['teardown'], workDir);
    for (const dir of [workDir, resultsDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('stops the dockerd that outlived crbench, with its containers and containerd', async function () {
    if ((await killMidContainer(workDir, resultsDir)) === undefined) this.skip();
    assert.ok(daemonsOf(workDir).some((line) => / dockerd | \/usr\/sbin\/dockerd /.test(` ${line} `)), 'dockerd outlives crbench: teardown has work to do');
    assertTornDown(workDir);
  });

  it('also removes the containers and shims orphaned when dockerd itself was killed', async function () {
    const cell = await killMidContainer(workDir, resultsDir);
    if (cell === undefined) this.skip();
    // dockerd dies too (and containerd with it): the shims and their containers are orphans,
    // in no process group of ours; only the paths below the work dir and the cgroup name them.
    const record = JSON.parse(readFileSync(path.join(workDir, 'daemons', `${cell.groupId}.dockerd.json`), 'utf8')) as { pid: number };
    process.kill(record.pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (daemonsOf(workDir).some((line) => /containerd /.test(line) || /dockerd/.test(line))) {
      if (Date.now() > deadline) throw new Error('dockerd and containerd did not die');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(daemonsOf(workDir).some((line) => /containerd-shim/.test(line)), 'an orphaned containerd-shim is left for teardown');
    assertTornDown(workDir);
  });
});
