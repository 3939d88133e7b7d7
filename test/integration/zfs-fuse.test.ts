import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRunning, listDaemons } from '../../provision/daemons/daemon.ts';
import { ZFS_FUSE_HOST_PATHS, ZFS_FUSE_SOCKET, socketAnswers, zfsFuseArgv, zfsFuseMarkerOf, zfsFuseProcesses } from '../../provision/daemons/zfs-fuse.ts';
import { findMount } from '../../provision/mounts.ts';
import { teardownWorkDir } from '../../provision/teardown.ts';
import { provisionVolume, releaseVolume, type Volume } from '../../provision/volume.ts';
import { findBinary, probeHost } from '../../pipeline/host/probe-host.ts';
import { zfsBackendsOf } from '../../pipeline/host/zfs-backend.ts';
import { requiredBinaries } from '../../pipeline/plan/feasibility.ts';
import type { Step } from '../../pipeline/run/executor/steps.ts';
import { zfsClone } from '../../pipeline/run/storage/zfs-clone.ts';
import { leftovers } from './host-leaks.ts';

const CLI = path.resolve('bin/crbench.js');
const CHILD = path.resolve('test/integration/zfs-fuse-child.ts');

/** Root, zfs-fuse installed, and no zfs-fuse of the host's running (these tests need their own daemon). */
function canRun(): boolean {
  return process.getuid?.() === 0 && zfsBackendsOf(probeHost(requiredBinaries())).zfsFuse && zfsFuseProcesses().length === 0;
}

function sh(argv: string[]): { status: number | null; out: string } {
  const [file = '', ...args] = argv;
  const result = spawnSync(file, args, { encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

/** Runs a storage driver's steps one after the other, as the executor would, failing on the first error. */
function runSteps(steps: Step[]): void {
  for (const step of steps) {
    assert.equal(step.kind, 'run');
    if (step.kind !== 'run') continue;
    const result = sh(step.argv);
    assert.equal(result.status, 0, `${step.label}: ${step.argv.join(' ')}: ${result.out}`);
  }
}

/** A small rootfs tarball: busybox and a file to overwrite. */
function makeTarball(dir: string): string {
  const root = path.join(dir, 'tiny-root');
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  writeFileSync(path.join(root, 'etc', 'motd'), 'from the image\n');
  assert.equal(sh(['cp', '/bin/busybox', path.join(root, 'bin', 'busybox')]).status, 0);
  const tarball = path.join(dir, 'tiny.tar');
  assert.equal(sh(['tar', '-cf', tarball, '-C', root, '.']).status, 0);
  return tarball;
}

/** Everything a zfs-fuse volume may leave: leftovers below the work dir, a daemon of ours, host paths it made. */
function zfsFuseLeftovers(workDir: string, absentBefore: string[]): string[] {
  return [
    ...leftovers(workDir),
    ...zfsFuseProcesses().map((pid) => `zfs-fuse process ${pid}`),
    ...absentBefore.filter((candidate) => existsSync(candidate)).map((candidate) => `host path ${candidate}`),
    ...listDaemons(workDir).map((record) => `daemon record ${record.groupId}.${record.name}`),
  ];
}

function crbenchTeardown(workDir: string) {
  return spawnSync(process.execPath, [CLI, 'teardown'], { encoding: 'utf8', env: { ...process.env, CRBENCH_WORK_DIR: workDir }, timeout: 120_000 });
}

describe('a zfs-fuse volume, for real (root, zfs-fuse installed)', function () {
  this.timeout(120_000);
  let workDir: string;
  let absentBefore: string[];
  let volume: Volume;
  let daemonPid: number;

  before(function () {
    if (!canRun()) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-zf-');
    absentBefore = ZFS_FUSE_HOST_PATHS.filter((candidate) => !existsSync(candidate));
  });

  after(async () => {
    if (workDir === undefined) return;
    await teardownWorkDir(workDir);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('makes the pool on its own loop device, served by a daemon of its own recorded in the ledger', async () => {
    volume = await provisionVolume(workDir, 'zf', 'zfs-fuse', 256);
    assert.match(volume.device, /^\/dev\/loop\d+$/);
    assert.equal(findMount(volume.mountpoint)?.type, 'fuse.zfs');
    assert.equal(findMount(volume.mountpoint)?.source, volume.poolName);
    const [record, ...others] = listDaemons(workDir);
    assert.equal(others.length, 0);
    assert.equal(record?.name, 'zfs-fuse');
    daemonPid = record?.pid ?? 0;
    assert.equal(isRunning(daemonPid), true);
    assert.ok(record?.argv.includes(zfsFuseMarkerOf(workDir, 'zf')), 'its command line names the work dir, so a clean-up without the pid finds it');
    assert.deepEqual(sh(['zpool', 'list', '-H', '-o', 'name,health', volume.poolName]), { status: 0, out: `${volume.poolName}\tONLINE` });
    assert.match(sh(['zpool', 'status', volume.poolName]).out, new RegExp(`${path.basename(volume.device)}\\s+ONLINE`));
    // Out of the pool cache: no later zfs-fuse imports it.
    assert.match(sh(['zpool', 'get', 'cachefile', volume.poolName]).out, new RegExp(`^${volume.poolName}\\s+cachefile\\s+none\\s+local$`, 'm'));
    if (absentBefore.includes('/var/lib/zfs/zpool.cache')) assert.equal(existsSync('/var/lib/zfs/zpool.cache'), false);
  });

  it('unpacks an image into a dataset, snapshots it, clones it per container, writes in the clone and destroys it, as zfs-clone does', () => {
    const context = { mountpoint: volume.mountpoint, poolName: volume.poolName };
    const imageRootfs = path.join(volume.mountpoint, 'images', 'tiny', 'rootfs');
    runSteps(zfsClone.importImage(context, makeTarball(workDir), imageRootfs));
    assert.equal(findMount(imageRootfs)?.type, 'fuse.zfs');
    assert.equal(sh(['zfs', 'list', '-H', '-o', 'name', `${volume.poolName}/image-tiny@base`]).status, 0);
    // Five containers, each written to and destroyed right away: zfs-fuse's "dataset is busy" case.
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      const rootfs = path.join(volume.mountpoint, 'containers', id, 'rootfs');
      runSteps(zfsClone.prepare(context, imageRootfs, rootfs));
      const dataset = `${volume.poolName}/container-${id}`;
      assert.equal(findMount(rootfs)?.source, dataset, 'the container\'s rootfs is the clone\'s mountpoint');
      assert.equal(sh(['zfs', 'get', '-H', '-o', 'value', 'origin', dataset]).out, `${volume.poolName}/image-tiny@base`);
      assert.equal(readFileSync(path.join(rootfs, 'etc', 'motd'), 'utf8'), 'from the image\n');
      writeFileSync(path.join(rootfs, 'etc', 'motd'), `written in ${id}\n`);
      writeFileSync(path.join(rootfs, 'new-file'), 'x'.repeat(100_000));
      assert.equal(sh([path.join(rootfs, 'bin', 'busybox'), 'true']).status, 0);
      runSteps(zfsClone.remove(context, rootfs));
      assert.notEqual(sh(['zfs', 'list', dataset]).status, 0, `${dataset} is gone`);
      assert.equal(findMount(rootfs), undefined);
    }
    assert.equal(readFileSync(path.join(imageRootfs, 'etc', 'motd'), 'utf8'), 'from the image\n', 'the image is untouched');
  });

  it('releases the pool, the daemon, the mounts, the loop device and the image file, and the host paths the daemon made', async () => {
    await releaseVolume(workDir, volume);
    assert.equal(isRunning(daemonPid), false);
    assert.equal(await socketAnswers(ZFS_FUSE_SOCKET), false);
    assert.equal(existsSync(volume.imagePath), false);
    assert.equal(backingFileOrNull(volume.device) === volume.imagePath, false);
    assert.deepEqual(zfsFuseLeftovers(workDir, absentBefore), []);
  });

  it('leaves nothing either when the pool cannot be made (a device below zfs\'s 64 MiB minimum)', async () => {
    await assert.rejects(provisionVolume(workDir, 'small', 'zfs-fuse', 32),
      (error: Error & { code?: string }) => error.code === 'PROVISION_FAILED' && /creating zpool/.test(error.message));
    assert.deepEqual(zfsFuseLeftovers(workDir, absentBefore), []);
  });
});

function backingFileOrNull(device: string): string | null {
  try {
    return readFileSync(`/sys/block/${path.basename(device)}/loop/backing_file`, 'utf8').trim();
  } catch {
    return null;
  }
}

describe('a zfs-fuse volume on the host\'s own zfs-fuse daemon (root)', function () {
  this.timeout(120_000);
  let workDir: string;
  let hostDir: string;
  let host: ChildProcess | undefined;
  let absentBefore: string[];

  before(async function () {
    if (!canRun()) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-zfh-');
    hostDir = mkdtempSync('/var/tmp/crbench-zfh-host-');
    absentBefore = ZFS_FUSE_HOST_PATHS.filter((candidate) => !existsSync(candidate));
    // "The host's": a zfs-fuse that crbench did not start and that names nothing of its work dir.
    host = spawn(findBinary('zfs-fuse') ?? 'zfs-fuse', ['--no-daemon', '--no-kstat-mount'], { stdio: 'ignore', cwd: hostDir });
    const deadline = Date.now() + 20_000;
    while (!(await socketAnswers())) {
      if (Date.now() > deadline) throw new Error('the stand-in host zfs-fuse did not start');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  after(async () => {
    if (workDir === undefined) return;
    await teardownWorkDir(workDir);
    if (host?.pid !== undefined && isRunning(host.pid)) {
      host.kill('SIGTERM');
      await new Promise((resolve) => host?.once('exit', resolve));
    }
    for (const candidate of absentBefore) rmSync(candidate, { recursive: true, force: true });
    for (const dir of [workDir, hostDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('uses the running daemon, records none of its own, and never stops the host\'s', async () => {
    const volume = await provisionVolume(workDir, 'zh', 'zfs-fuse', 128);
    assert.deepEqual(listDaemons(workDir), []);
    assert.equal(findMount(volume.mountpoint)?.type, 'fuse.zfs');
    await releaseVolume(workDir, volume);
    assert.equal(host?.pid !== undefined && isRunning(host.pid), true, 'the host\'s zfs-fuse still runs');
    assert.notEqual(sh(['zpool', 'list', volume.poolName]).status, 0, 'our pool is gone from it');
    assert.deepEqual(leftovers(workDir), []);
  });
});

describe('a zfs-fuse volume while another crbench volume\'s zfs-fuse runs (root)', function () {
  this.timeout(120_000);
  let workDir: string;
  let otherDir: string;
  let other: ChildProcess | undefined;
  let absentBefore: string[];

  before(async function () {
    if (!canRun()) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-zfo-');
    otherDir = mkdtempSync('/var/tmp/crbench-zfo-other-');
    absentBefore = ZFS_FUSE_HOST_PATHS.filter((candidate) => !existsSync(candidate));
    other = spawn(findBinary('zfs-fuse') ?? 'zfs-fuse', zfsFuseArgv('zfs-fuse', zfsFuseMarkerOf(otherDir, 'theirs')).slice(1), { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (!(await socketAnswers())) {
      if (Date.now() > deadline) throw new Error('the other run\'s zfs-fuse did not start');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  after(async () => {
    if (workDir === undefined) return;
    await teardownWorkDir(workDir);
    if (other?.pid !== undefined && isRunning(other.pid)) {
      other.kill('SIGTERM');
      await new Promise((resolve) => other?.once('exit', resolve));
    }
    for (const candidate of absentBefore) rmSync(candidate, { recursive: true, force: true });
    for (const dir of [workDir, otherDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses, naming the other work dir, rather than share a daemon that goes with the other volume; leaves nothing', async () => {
    await assert.rejects(provisionVolume(workDir, 'zo', 'zfs-fuse', 128),
      (error: Error & { code?: string }) => error.code === 'ZFS_FUSE_BUSY' && error.message.includes(otherDir));
    assert.equal(other?.pid !== undefined && isRunning(other.pid), true);
    assert.deepEqual(leftovers(workDir), []);
    assert.deepEqual(listDaemons(workDir), []);
  });
});

describe('crbench teardown after a zfs-fuse group was killed with SIGKILL (root)', function () {
  this.timeout(180_000);
  let workDir: string;
  let absentBefore: string[];

  beforeEach(function () {
    if (!canRun()) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-zfk-');
    absentBefore = ZFS_FUSE_HOST_PATHS.filter((candidate) => !existsSync(candidate));
  });

  afterEach(() => {
    if (workDir === undefined) return;
    crbenchTeardown(workDir);
    rmSync(workDir, { recursive: true, force: true });
  });

  function startChild(): ChildProcess {
    return spawn(process.execPath, ['--import', 'tsx', CHILD, 'killed'], { env: { ...process.env, CRBENCH_WORK_DIR: workDir }, stdio: 'ignore' });
  }

  async function killWhen(child: ChildProcess, ready: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!ready()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child never got to ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }

  function assertTornDown(): void {
    const teardown = crbenchTeardown(workDir);
    assert.equal(teardown.status, 0, `${teardown.stdout}${teardown.stderr}`);
    assert.deepEqual(zfsFuseLeftovers(workDir, absentBefore), []);
    assert.equal(crbenchTeardown(workDir).status, 0, 'teardown is idempotent');
  }

  it('destroys the pool and stops the daemon that outlived crbench, with the clone mounted', async () => {
    const child = startChild();
    await killWhen(child, () => existsSync(path.join(workDir, 'ready')), 'a cloned dataset');
    const pool = readFileSync(path.join(workDir, 'ready'), 'utf8').trim();
    assert.equal(sh(['zpool', 'list', '-H', '-o', 'name', pool]).out, pool, 'the pool outlives crbench: teardown has work to do');
    assert.ok(zfsFuseProcesses().length > 0);
    assertTornDown();
  });

  it('stops a daemon caught starting, recorded in the ledger before it was spawned', async () => {
    const child = startChild();
    const record = path.join(workDir, 'daemons', 'volume-killed.zfs-fuse.json');
    await killWhen(child, () => existsSync(record), 'the ledger record');
    assertTornDown();
  });

  it('also unmounts the dead FUSE mounts when the daemon itself was killed too', async () => {
    const child = startChild();
    await killWhen(child, () => existsSync(path.join(workDir, 'ready')), 'a cloned dataset');
    for (const pid of zfsFuseProcesses()) process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    while (zfsFuseProcesses().length > 0) {
      if (Date.now() > deadline) throw new Error('zfs-fuse did not die');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(leftovers(workDir).some((entry) => entry.startsWith('mount ')), 'dead FUSE mounts are left for teardown');
    assertTornDown();
  });
});
