/**
 * zfs-fuse, the user-space ZFS daemon (Debian's zfs-fuse 0.7.0), for a volume whose filesystem
 * is `zfs-fuse`: where the zfs kernel module is missing, it serves the pool on the group's loop
 * device and mounts its datasets as `fuse.zfs`.
 *
 * One daemon per host: its socket and lock are hard-coded (no flag moves them). So a volume
 * uses the host's daemon if one runs (and never stops it); refuses while another volume's
 * crbench-started daemon runs (it goes with that volume); else starts its own:
 *   1 the daemon ledger gets the record (pid 0, its clean-up as the shutdown command) BEFORE
 *     the spawn, so `crbench teardown` finds it whatever moment crbench is killed at;
 *   2 `zfs-fuse --no-daemon` is spawned detached and the record gets its pid: its `--pidfile`
 *     is ignored in the foreground (its man page says so; daemonised, it was not written here
 *     either), so we keep the pid ourselves. The pid file's path, below the work directory,
 *     still serves: it puts our path on the daemon's command line, which is how the clean-up
 *     finds it without a pid;
 *   3 ready once its socket accepts a connection.
 * Stopping (the clean-up, run by daemon.ts's stopDaemon, also in a fresh process after a
 * crash): `zpool destroy` of the volume's pool while the daemon answers, SIGTERM (it unmounts
 * what is left and exits), SIGKILL after a grace period, unmount dead FUSE mounts below the
 * volume's mountpoint, then remove the host paths this daemon created and nobody had before.
 *
 * What zfs-fuse writes on the host, seen with `find` before and after (2026-12-02):
 *   /var/run/zfs/zfs_socket     its socket; removed when it exits, the directory is not
 *   /var/lock/zfs/zfs_lock      its single-instance lock; left behind, with the directory
 *   /var/lib/zfs/zpool.cache    the pool cache: never written for a pool made with
 *                               `-o cachefile=none` (an import without it writes one)
 *   /zfs-kstat                  a kstat FUSE mount, unless --no-kstat-mount (we pass it)
 * (/run/mount appears too, but it is util-linux's: any mount command, crbench's own for every
 * volume, makes it when missing.)
 * It reads /etc/zfs/zfsrc; every tuning setting Debian ships there is pinned on the command
 * line (ZFS_FUSE_TUNING), so an edited zfsrc cannot change what is measured.
 *
 * `crbench teardown` runs the clean-up through the ledger; by hand:
 *   provision/daemons/zfs-fuse.ts clean-up '<json spec>'
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { $ } from 'zx';
import { CrbenchError } from '../../pipeline/errors.ts';
import { findBinary } from '../../pipeline/host/probe-host.ts';
import { assertUnderWorkDir } from '../work-dir.ts';
import { isRunning, listDaemons, startDaemon, stopDaemon, tailLog, type DaemonRecord } from './daemon.ts';
import { absentHostPaths, argsOf, processesNaming, removeCreatedHostPaths, signal, unmountBelow, waitUntilGone } from './leftovers.ts';

/** The socket the zfs and zpool commands talk to (hard-coded in zfs-fuse 0.7.0). */
export const ZFS_FUSE_SOCKET = '/var/run/zfs/zfs_socket';

/**
 * Host paths zfs-fuse may create whatever its flags, deepest first so that removing them in
 * order leaves no empty parent. /var/lib/zfs itself belongs to the package and stays.
 */
export const ZFS_FUSE_HOST_PATHS = [
  '/var/run/zfs/zfs_socket', '/var/run/zfs', '/var/lock/zfs/zfs_lock', '/var/lock/zfs', '/var/lib/zfs/zpool.cache',
];

/**
 * The tuning Debian's /etc/zfs/zfsrc sets, pinned: FUSE attribute and entry caches of an
 * hour (its "40%" and "10000%" speed-ups), a 100 MiB ARC, a 10 MiB vdev cache, no prefetch,
 * and the kernel checking permissions.
 */
export const ZFS_FUSE_TUNING = [
  '--fuse-attr-timeout', '3600', '--fuse-entry-timeout', '3600', '--max-arc-size', '100', '--vdev-cache-size', '10',
  '--zfs-prefetch-disable', '--fuse-mount-options', 'default_permissions',
];

/** The ledger's name for the daemon. */
export const ZFS_FUSE_DAEMON = 'zfs-fuse';

/**
 * The ledger group of a volume's daemon: not the cell group itself, so that the group's
 * daemon memory (dockerd, lxd) does not count the filesystem's daemon; and sorted after
 * every runtime's, so that teardown stops a dockerd using the pool before the pool goes.
 */
export function zfsFuseGroupOf(volumeName: string): string {
  return `volume-${volumeName}`;
}

/** Where the volume's daemon logs and whose (never written) pid file names it, below the work directory. */
export function zfsFuseMarkerOf(workDir: string, volumeName: string): string {
  return path.join(workDir, 'daemons', `${zfsFuseGroupOf(volumeName)}.zfs-fuse.pid`);
}

/** The daemon's command line: in the foreground (we keep its pid), no kstat mount on /, tuning pinned. */
export function zfsFuseArgv(binary: string, marker: string): string[] {
  return [binary, '--no-daemon', '--no-kstat-mount', '--pidfile', marker, ...ZFS_FUSE_TUNING];
}

/** What the clean-up needs, all of it paths and names: it must work after crbench was killed. */
export interface ZfsFuseCleanUpSpec {
  workDir: string;
  /** The path on our daemon's command line. */
  marker: string;
  poolName: string;
  /** The volume's mountpoint: dead FUSE mounts on or below it are unmounted. */
  mountpoint: string;
  /** Host paths that did not exist before our daemon started. */
  createdHostPaths: string[];
  /** How long the daemon may take to exit after SIGTERM. */
  graceMs: number;
}

/**
 * argv that runs `spec`'s clean-up in a fresh process: the daemon record's shutdown command.
 * Node, tsx and this file by absolute path, so it works from any directory.
 */
export function zfsFuseCleanUpCommand(spec: ZfsFuseCleanUpSpec): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--import', tsx, fileURLToPath(import.meta.url), 'clean-up', JSON.stringify(spec)];
}

/**
 * The volume marker on a zfs-fuse command line, if crbench started it (for any work directory):
 * `--pidfile <work dir>/daemons/volume-<name>.zfs-fuse.pid`; undefined for the host's own.
 */
export function crbenchMarkerOf(argv: string[]): string | undefined {
  const marker = argv[argv.indexOf('--pidfile') + 1];
  return argv.includes('--pidfile') && marker !== undefined && /\/daemons\/volume-[^/]+\.zfs-fuse\.pid$/.test(marker) ? marker : undefined;
}

/** Every live zfs-fuse process on the host, ours or not. */
export function zfsFuseProcesses(): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'zfs-fuse' && isRunning(pid);
    } catch {
      return false;
    }
  });
}

/** True once something accepts connections on the zfs-fuse socket. */
export function socketAnswers(socket = ZFS_FUSE_SOCKET, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = createConnection(socket);
    const done = (answer: boolean) => { connection.destroy(); resolve(answer); };
    connection.setTimeout(timeoutMs, () => done(false));
    connection.once('connect', () => done(true));
    connection.once('error', () => done(false));
  });
}

/** How the volume reaches a zfs-fuse daemon: its own (recorded, stopped on release) or the host's (never stopped). */
export type ZfsFuseDaemon = { owner: 'crbench'; record: DaemonRecord } | { owner: 'host'; pid: number };

/**
 * Makes sure a zfs-fuse daemon serves the host: the host's, if one runs, else one of the
 * volume's own, recorded before it starts. Throws with its last log lines if it exits before
 * its socket answers; nothing of it is left running then.
 */
export async function startZfsFuse(workDir: string, volume: { name: string; poolName: string; mountpoint: string }, readyTimeoutMs = 30_000): Promise<ZfsFuseDaemon> {
  const running = zfsFuseProcesses();
  for (const pid of running) {
    // One daemon per host: another volume's would be stopped under us when that volume goes.
    const marker = crbenchMarkerOf(argsOf(pid));
    if (marker !== undefined) {
      const otherWorkDir = path.dirname(path.dirname(marker));
      throw new CrbenchError('ZFS_FUSE_BUSY',
        `zfs-fuse serves one daemon per host, and pid ${pid} is crbench's, for another volume (${path.basename(marker, '.zfs-fuse.pid')} of the work dir ${otherWorkDir}): ` +
        `wait until that run ends, or run 'crbench teardown' with CRBENCH_WORK_DIR=${otherWorkDir}`);
    }
  }
  if (running.length > 0) return { owner: 'host', pid: running[0] as number };
  const binary = findBinary('zfs-fuse');
  if (binary === null) {
    throw new CrbenchError('ZFS_FUSE_MISSING', 'zfs-fuse is not installed (apt-get install zfs-fuse)', { exitCode: 2 });
  }
  const marker = zfsFuseMarkerOf(workDir, volume.name);
  assertUnderWorkDir(workDir, marker, 'name the zfs-fuse daemon after');
  assertUnderWorkDir(workDir, volume.mountpoint, 'mount a zfs-fuse pool at');
  const spec: ZfsFuseCleanUpSpec = {
    workDir, marker, poolName: volume.poolName, mountpoint: volume.mountpoint,
    createdHostPaths: absentHostPaths(ZFS_FUSE_HOST_PATHS), graceMs: 8_000,
  };
  const record = startDaemon(workDir, {
    name: ZFS_FUSE_DAEMON, groupId: zfsFuseGroupOf(volume.name), argv: zfsFuseArgv(binary, marker),
    shutdownCommands: [zfsFuseCleanUpCommand(spec)], recordFirst: true,
  });
  const deadline = performance.now() + readyTimeoutMs;
  while (performance.now() < deadline) {
    if (!isRunning(record.pid)) {
      const said = tailLog(record, 3);
      await stopDaemon(workDir, record);
      throw new CrbenchError('DAEMON_FAILED', `zfs-fuse exited before its socket ${ZFS_FUSE_SOCKET} answered: ${said || 'it logged nothing'} (log: ${record.logPath})`);
    }
    if (await socketAnswers()) return { owner: 'crbench', record };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await stopDaemon(workDir, record);
  throw new CrbenchError('DAEMON_TIMEOUT', `zfs-fuse did not answer on ${ZFS_FUSE_SOCKET} within ${readyTimeoutMs} ms (log: ${record.logPath})`);
}

/** The volume's own daemon record, if it has one. */
export function ownZfsFuseRecord(workDir: string, volumeName: string): DaemonRecord | undefined {
  return listDaemons(workDir).find((record) => record.name === ZFS_FUSE_DAEMON && record.groupId === zfsFuseGroupOf(volumeName));
}

/**
 * zfs-fuse answers "pool is busy" or "dataset is busy" for a moment after a dataset was
 * unmounted (its FUSE session lets go of the dataset asynchronously): the same command
 * succeeds a few milliseconds later. Retries `argv` while it says so, up to `timeoutMs`.
 */
export async function retryWhileBusy(argv: string[], timeoutMs: number): Promise<{ ok: boolean; said: string; tries: number }> {
  const [file, ...args] = argv;
  const deadline = performance.now() + timeoutMs;
  for (let tries = 1; ; tries += 1) {
    const result = await $`${file} ${args}`.quiet().nothrow();
    const said = (result.stderr || result.stdout).trim();
    if (result.exitCode === 0) return { ok: true, said, tries };
    if (!/is busy/.test(said) || performance.now() > deadline) return { ok: false, said, tries };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `zpool destroy -f POOL`, retried while busy. */
export function destroyPoolArgv(poolName: string): string[] {
  return ['zpool', 'destroy', '-f', poolName];
}

/** True when a zfs-fuse daemon answers and holds the pool. */
export async function poolIsImported(poolName: string): Promise<boolean> {
  if (!(await socketAnswers())) return false;
  return (await $`zpool list -H -o name ${poolName}`.quiet().nothrow()).exitCode === 0;
}

/** Everything our daemon of one volume may leave, in order; returns what could not be removed. */
export async function cleanUpZfsFuse(spec: ZfsFuseCleanUpSpec): Promise<string[]> {
  assertUnderWorkDir(spec.workDir, spec.marker, 'clean up the zfs-fuse daemon of');
  assertUnderWorkDir(spec.workDir, spec.mountpoint, 'clean up the zfs-fuse mounts at');
  const problems: string[] = [];
  const ours = processesNaming([spec.marker]);
  // 1 the pool, while our daemon serves it (a host's daemon never had it: cachefile=none, no import)
  if (ours.length > 0 && (await poolIsImported(spec.poolName))) {
    // Not fatal if it stays busy: the daemon exports the pool as it exits, and the pool lives
    // only in the volume's image file, which goes with the volume.
    await retryWhileBusy(destroyPoolArgv(spec.poolName), 4_000);
  }
  // 2 the daemon: SIGTERM unmounts its datasets and removes its socket; SIGKILL if it hangs
  ours.forEach((pid) => signal(pid, 'SIGTERM'));
  if (!(await waitUntilGone(ours, spec.graceMs))) {
    ours.forEach((pid) => signal(pid, 'SIGKILL'));
    if (!(await waitUntilGone(ours, 5_000))) problems.push(`zfs-fuse ${ours.filter(isRunning).join(', ')} survived SIGKILL`);
  }
  // 3 FUSE mounts of a daemon that died without unmounting ("Transport endpoint is not connected")
  await unmountBelow([spec.mountpoint], problems);
  // 4 its socket directory and lock, if it made them; never a path that was there before
  removeCreatedHostPaths(spec.createdHostPaths, problems);
  return problems;
}

async function main(argv: string[]): Promise<void> {
  const [command, json] = argv;
  if (command === 'clean-up' && json !== undefined) {
    const problems = await cleanUpZfsFuse(JSON.parse(json) as ZfsFuseCleanUpSpec);
    for (const problem of problems) console.error(`clean-up: ${problem}`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  } else {
    console.log("usage: provision/daemons/zfs-fuse.ts clean-up '<json spec>'");
    process.exitCode = command === '--help' || command === '-h' ? 0 : 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  });
}
