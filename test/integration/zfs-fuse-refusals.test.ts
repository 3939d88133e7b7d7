import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DOCKERD_HOST_PATHS, dockerdArgv, dockerdConfig, dockerdPaths } from '../../provision/daemons/dockerd.ts';
import { processesNaming, removeCreatedHostPaths, unmountBelow } from '../../provision/daemons/leftovers.ts';
import { lxdClient, startLxd, stopLxd } from '../../provision/daemons/lxd.ts';
import { ZFS_FUSE_HOST_PATHS, zfsFuseProcesses } from '../../provision/daemons/zfs-fuse.ts';
import { teardownWorkDir } from '../../provision/teardown.ts';
import { provisionVolume, type Volume } from '../../provision/volume.ts';
import { probeHost } from '../../pipeline/host/probe-host.ts';
import { zfsBackendsOf } from '../../pipeline/host/zfs-backend.ts';
import { KERNEL_REFUSES_FUSE_UPPER, STORAGE_DRIVER_REFUSALS, requiredBinaries } from '../../pipeline/plan/feasibility.ts';
import { lxcLockDir } from '../../pipeline/run/runtimes/lxc.ts';
import { PODMAN_HOST_PATHS, podmanConfigFiles, podmanPaths, podmanPrefix } from '../../pipeline/run/runtimes/podman.ts';
import { STORAGE_DRIVERS } from '../../pipeline/run/storage/index.ts';
import { leftovers } from './host-leaks.ts';

/**
 * Every refusal pipeline/plan/feasibility.ts records for a driver on zfs-fuse, tried again for
 * real on a zfs-fuse volume laid out as the pipeline lays a group's out: the tool must still
 * say the recorded words, or the plan's skip reason has gone stale.
 */

function run(argv: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
  const [file = '', ...args] = argv;
  const result = spawnSync(file, args, { encoding: 'utf8', env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000 });
  return `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
}

/** What the kernel logs while `action` runs: after a marker of our own in its log (the ring buffer may be full). */
function kernelLogDuring<T>(action: () => T): { result: T; logged: string } {
  const marker = `crbench-zfr-${process.pid}-${Date.now()}`;
  writeFileSync('/dev/kmsg', `${marker}\n`);
  const result = action();
  const log = run(['dmesg']);
  return { result, logged: log.slice(log.lastIndexOf(marker)) };
}

describe('the recorded refusals of drivers on zfs-fuse still hold (root, zfs-fuse, docker, podman, lxd, lxc)', function () {
  this.timeout(300_000);
  let workDir: string;
  let volume: Volume;
  let absentBefore: string[];
  /** The names of each attempt, replaced by the placeholders the table uses. */
  const names: [string, string][] = [];
  // Longest first: the lxcpath lies below the mountpoint.
  const normalise = (text: string) => [...names].sort((a, b) => b[0].length - a[0].length)
    .reduce((out, [name, placeholder]) => out.split(name).join(placeholder), text);

  before(async function () {
    const host = probeHost(requiredBinaries());
    const tools = ['dockerd', 'podman', 'lxd', 'lxc', 'lxc-create', 'lxc-copy'].every((name) => host.binaries[name]);
    if (process.getuid?.() !== 0 || !zfsBackendsOf(host).zfsFuse || zfsFuseProcesses().length > 0 || !tools) this.skip();
    absentBefore = [...DOCKERD_HOST_PATHS, ...PODMAN_HOST_PATHS, ...ZFS_FUSE_HOST_PATHS, '/run/lxc/lock', '/run/lxc', '/etc/docker/key.json']
      .filter((candidate) => !existsSync(candidate));
    workDir = mkdtempSync('/var/tmp/crbench-zfr-');
    volume = await provisionVolume(workDir, 'refusals', 'zfs-fuse', 512);
    names.push([volume.mountpoint, 'MOUNTPOINT'], [volume.poolName, 'POOL']);
  });

  after(async () => {
    if (workDir === undefined) return;
    await teardownWorkDir(workDir);
    removeCreatedHostPaths(absentBefore, []);
    rmSync(workDir, { recursive: true, force: true });
  });

  /** A fresh directory on the volume for one attempt (the pipeline's paths are the same for every group). */
  async function fresh(dir: string): Promise<void> {
    await unmountBelow([dir], []);
    rmSync(dir, { recursive: true, force: true });
  }

  /** dockerd of the pipeline's own argv and config, on the volume, until it gives up. */
  async function dockerd(driver: string, extra: string[] = []): Promise<string> {
    const paths = dockerdPaths(workDir, `refusal-${driver}`, volume.mountpoint);
    await fresh(paths.dataRoot);
    mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
    mkdirSync(paths.dataRoot, { recursive: true });
    writeFileSync(paths.configFile, JSON.stringify(dockerdConfig(paths)));
    const said = run([...dockerdArgv(paths, driver), ...extra], { timeoutMs: 90_000 });
    // Whatever it started (containerd) or mounted, should it have got that far.
    for (const pid of processesNaming([paths.stateDir])) process.kill(pid, 'SIGKILL');
    return said;
  }

  /** `podman info` with the pipeline's flags, configuration and store on the volume. */
  async function podman(driver: string): Promise<{ said: string; root: string }> {
    const paths = podmanPaths(workDir, `refusal-${driver}`, volume.mountpoint);
    await fresh(path.dirname(paths.root));
    for (const dir of [paths.stateDir, paths.runRoot, paths.tmpDir, paths.hooksDir, paths.networkConfigDir, paths.root, paths.volumePath]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    for (const [file, text] of Object.entries(podmanConfigFiles(paths, driver))) writeFileSync(file, text);
    return { said: run([...podmanPrefix(paths, driver, probeHost([]).cgroupMode), 'info']), root: paths.root };
  }

  /** An lxc-create template that unpacks nothing: LXC refuses before it would run. */
  async function lxcSetup(): Promise<{ lxcpath: string; config: string; template: string }> {
    const lxcpath = path.join(volume.mountpoint, 'lxc');
    await fresh(lxcpath);
    mkdirSync(lxcpath, { recursive: true });
    const config = path.join(workDir, 'lxc.conf');
    writeFileSync(config, 'lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\n');
    const template = path.join(workDir, 'lxc-template');
    writeFileSync(template, '#!/bin/sh\nwhile [ $# -gt 0 ]; do case $1 in --rootfs) r=$2; shift;; --rootfs=*) r=${1#--rootfs=};; esac; shift; done\nmkdir -p "$r/bin"\n');
    chmodSync(template, 0o755);
    names.push([lxcpath, 'LXCPATH']);
    return { lxcpath, config, template };
  }

  function lxcCleanUp(lxcpath: string): void {
    for (const name of ['zfrclone', 'zfrbase']) run(['lxc-destroy', '-P', lxcpath, '-n', name]);
    rmSync(lxcLockDir(lxcpath), { recursive: true, force: true });
    run(['rmdir', '--parents', '--ignore-fail-on-non-empty', path.dirname(lxcLockDir(lxcpath))]);
  }

  /** One probe per recorded refusal, keyed `<driver> on <filesystem>` and the refusal's first runtime. */
  const PROBES: Record<string, () => Promise<string>> = {
    'zfs on zfs-fuse/docker': () => dockerd('zfs', ['--debug']),
    'zfs on zfs-fuse/podman': async () => (await podman('zfs')).said,
    'zfs on zfs-fuse/lxd': async () => {
      const paths = { lxdDir: path.join(volume.mountpoint, 'lxd'), clientDir: path.join(volume.mountpoint, 'lxd-client'), templateConfigDir: null };
      const record = await startLxd(workDir, 'refusal-lxd', paths);
      try {
        run(['zfs', 'create', '-o', 'canmount=off', `${volume.poolName}/lxd`]);
        return run([...lxdClient(paths), 'storage', 'create', 'p', 'zfs', `source=${volume.poolName}/lxd`]);
      } finally {
        await stopLxd(workDir, record, paths.lxdDir);
      }
    },
    'zfs on zfs-fuse/lxc': async () => {
      const { lxcpath, config, template } = await lxcSetup();
      names.push(['zfrbase', 'BASE']);
      try {
        run(['zfs', 'create', '-o', 'canmount=off', `${volume.poolName}/lxc-rootfs`]);
        return run(['lxc-create', '-P', lxcpath, '-n', 'zfrbase', '-B', 'zfs', '--zfsroot', `${volume.poolName}/lxc-rootfs`, '-f', config, '-t', template]);
      } finally {
        lxcCleanUp(lxcpath);
      }
    },
    'overlay on zfs-fuse/runc': async () => {
      const context = { mountpoint: volume.mountpoint, poolName: volume.poolName };
      const image = path.join(volume.mountpoint, 'images', 'tiny', 'rootfs');
      mkdirSync(image, { recursive: true });
      const { result: said, logged } = kernelLogDuring(() => STORAGE_DRIVERS['overlay']!
        .prepare(context, image, path.join(volume.mountpoint, 'containers', 'c1', 'rootfs'))
        .map((step) => (step.kind === 'run' ? run(step.argv) : '')).join('\n'));
      for (const line of KERNEL_REFUSES_FUSE_UPPER) assert.ok(logged.includes(line), `the kernel logged "${line}":\n${logged}`);
      return said;
    },
    'overlay on zfs-fuse/podman': async () => {
      const { said, root } = await podman('overlay');
      assert.equal(readFileSync(path.join(root, 'overlay', '.has-mount-program'), 'utf8').trim(), 'true', 'containers/storage fell back to fuse-overlayfs');
      return said;
    },
    'overlay2 on zfs-fuse/docker': () => dockerd('overlay2'),
    'overlayfs on zfs-fuse/lxc': async () => {
      const { lxcpath, config, template } = await lxcSetup();
      names.push(['zfrbase', 'BASE'], ['zfrclone', 'ID']);
      try {
        const made = run(['lxc-create', '-P', lxcpath, '-n', 'zfrbase', '-B', 'dir', '-f', config, '-t', template]);
        assert.ok(existsSync(path.join(lxcpath, 'zfrbase', 'rootfs', 'bin')), `the dir base is made: ${made}`);
        return run(['lxc-copy', '-P', lxcpath, '-n', 'zfrbase', '-N', 'zfrclone', '-s', '-B', 'overlayfs', '-l', 'ERROR']);
      } finally {
        lxcCleanUp(lxcpath);
      }
    },
  };

  it('has a probe for every recorded refusal', () => {
    const recorded = Object.entries(STORAGE_DRIVER_REFUSALS).flatMap(([key, refusals]) => refusals.map((refusal) => `${key}/${refusal.runtimes[0]}`));
    assert.deepEqual(recorded.sort(), Object.keys(PROBES).sort());
  });

  for (const [key, refusals] of Object.entries(STORAGE_DRIVER_REFUSALS)) {
    for (const refusal of refusals) {
      it(`${key} for ${refusal.runtimes.join(', ')}: the tool still says what the plan quotes`, async () => {
        const probe = PROBES[`${key}/${refusal.runtimes[0]}`];
        assert.ok(probe !== undefined);
        const said = normalise(await probe());
        for (const words of refusal.said) assert.ok(said.includes(words), `expected "${words}" in:\n${said.split('\n').slice(-15).join('\n')}`);
      });
    }
  }

  it('leaves nothing behind once torn down: no daemon, mount or loop device, nor a host path the tools made', async () => {
    await teardownWorkDir(workDir);
    const problems: string[] = [];
    removeCreatedHostPaths(absentBefore, problems);
    assert.deepEqual([...problems, ...leftovers(workDir)], []);
    assert.deepEqual(zfsFuseProcesses(), []);
    assert.deepEqual(absentBefore.filter((candidate) => existsSync(candidate)), []);
  });
});
