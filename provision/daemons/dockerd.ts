#!/usr/bin/env -S node --import tsx
/**
 * A dockerd of the pipeline's own for one cell group, and the removal of everything a Docker
 * or Podman group may leave on the host, also after crbench itself was killed.
 *
 *   state dir  <workDir>/runtime-state/dk-<key>/   d.sock (the API socket), dockerd.pid,
 *              daemon.json, key.json, x/ (exec root: containerd's socket and state, runc's
 *              state root runtime-runc/moby, network namespaces)
 *   data root  <mountpoint>/docker                  images and container layers, on the volume
 *   cgroups    /crbench-<work dir>/<group> (cgroups.ts) the parent of every container, in every hierarchy
 *
 * dockerd reads /etc/docker/daemon.json and writes /etc/docker/key.json unless told
 * otherwise: `--config-file` points at our daemon.json, which moves the key. Unavoidable
 * host paths (plugin discovery dir, containerd's shim sockets) are removed afterwards when
 * this group made them.
 *
 * Clean-up, in order (each step finds its work from paths, not from a live process):
 *   1 dockerd, if it answers: every container force-removed through the API, then SIGTERM
 *     (SIGKILL after a grace period): it stops containerd and unmounts its layers itself
 *   2 every process in the group's cgroup (the containers), SIGKILL
 *   3 every process whose command line names a path below the state dir (containerd, the
 *     containerd-shims, which leave dockerd's process group, conmon for podman), SIGKILL
 *   4 the shims' sockets in /run/containerd/s, found from the task state below the exec root
 *   5 everything mounted below the data root and the state dir, deepest first
 *   6 the cgroup tree, the host paths this group created, the state dir
 *
 * Runs on its own too (that is what `crbench teardown` runs after a crash):
 *   provision/daemons/dockerd.ts clean-up '<json spec>'
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { $ } from 'zx';
import { CrbenchError } from '../../pipeline/errors.ts';
import { requestOverSocket } from '../../pipeline/run/runtimes/docker-api.ts';
import { cgroupParentOf } from '../cgroups.ts';
import { readMounts } from '../mounts.ts';
import { assertUnderWorkDir, isUnderWorkDir } from '../work-dir.ts';
import { isRunning, startDaemon, type DaemonRecord } from './daemon.ts';

/** A unix socket path must fit in sun_path (108 bytes with the terminating NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;

/** A short key of a group id, so that socket paths stay short and cgroup names unique. */
export function groupKey(groupId: string): string {
  return createHash('sha256').update(groupId).digest('hex').slice(0, 10);
}

export interface DockerdPaths {
  stateDir: string;
  execRoot: string;
  socket: string;
  pidFile: string;
  configFile: string;
  keyFile: string;
  dataRoot: string;
  /** The group's cgroup below the work directory's (`<crbench-…>/<groupId>`, no leading slash). */
  cgroupParent: string;
}

export function dockerdPaths(workDir: string, groupId: string, mountpoint: string): DockerdPaths {
  const key = groupKey(groupId);
  const stateDir = path.join(workDir, 'runtime-state', `dk-${key}`);
  return {
    stateDir,
    execRoot: path.join(stateDir, 'x'),
    socket: path.join(stateDir, 'd.sock'),
    pidFile: path.join(stateDir, 'dockerd.pid'),
    configFile: path.join(stateDir, 'daemon.json'),
    keyFile: path.join(stateDir, 'key.json'),
    dataRoot: path.join(mountpoint, 'docker'),
    cgroupParent: `${cgroupParentOf(workDir)}/${groupId}`,
  };
}

/**
 * Host paths dockerd and containerd create whatever their flags: the plugin discovery
 * directory, and the directory of the shims' sockets (containerd hard-codes it). Deepest
 * first, so that removing them in order leaves no empty parent.
 */
export const DOCKERD_HOST_PATHS = ['/run/docker/plugins', '/run/docker', '/run/containerd/s', '/run/containerd'];

/** daemon.json: the only setting that has no flag, moving the trust key off /etc/docker. */
export function dockerdConfig(paths: DockerdPaths): Record<string, unknown> {
  return { 'deprecated-key-path': paths.keyFile };
}

/**
 * The daemon's command line: state below the work directory, data on the group's volume,
 * nothing of the host's network (no bridge, no iptables rules, no NAT, and no flipping of
 * net.ipv4.ip_forward, which dockerd does even without a bridge), cgroupfs under a parent
 * of the group's own, and `--config-file` so /etc/docker/daemon.json is never read.
 */
export function dockerdArgv(paths: DockerdPaths, storageDriver: string, binary = 'dockerd'): string[] {
  return [
    binary,
    '--config-file', paths.configFile,
    '--data-root', paths.dataRoot,
    '--exec-root', paths.execRoot,
    '--pidfile', paths.pidFile,
    '--host', `unix://${paths.socket}`,
    '--group', 'root',
    '--storage-driver', storageDriver,
    '--bridge', 'none',
    '--iptables=false',
    '--ip6tables=false',
    '--ip-masq=false',
    '--ip-forward=false',
    '--exec-opt', 'native.cgroupdriver=cgroupfs',
    '--cgroup-parent', `/${paths.cgroupParent}`,
  ];
}

/** Throws unless every socket the daemons will make fits in a unix socket address. */
export function assertSocketPathsFit(paths: DockerdPaths): void {
  for (const socket of [paths.socket, path.join(paths.execRoot, 'containerd', 'containerd.sock.ttrpc')]) {
    if (Buffer.byteLength(socket) > MAX_SOCKET_PATH_BYTES) {
      throw new CrbenchError('SOCKET_PATH_TOO_LONG',
        `the socket path ${socket} is ${Buffer.byteLength(socket)} bytes, more than a unix socket allows (${MAX_SOCKET_PATH_BYTES}); ` +
        'point CRBENCH_WORK_DIR at a shorter directory');
    }
  }
}

/**
 * Why dockerd stopped, from its log: the last error line ("failed to start daemon: error
 * initializing graphdriver: driver not supported", say), else the last lines.
 */
export function explainDockerdLog(logText: string): string {
  const lines = logText.trim().split('\n').filter((line) => line.trim() !== '');
  const fatal = lines.findLast((line) => /failed to start daemon|level=(fatal|error)/.test(line));
  const chosen = fatal !== undefined ? [fatal] : lines.slice(-3);
  return chosen.map((line) => line.match(/msg="((?:[^"\\]|\\.)*)"/)?.[1]?.replace(/\\"/g, '"') ?? line.trim()).join(' | ');
}

function readLog(record: DaemonRecord): string {
  try {
    return readFileSync(record.logPath, 'utf8');
  } catch {
    return '';
  }
}

/** Waits until dockerd answers `GET /_ping`; throws with the reason from its log if it dies first. */
export async function waitForDockerd(record: DaemonRecord, socket: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!isRunning(record.pid)) {
      throw new CrbenchError('DAEMON_FAILED',
        `dockerd of group ${record.groupId} exited before answering on ${socket}: ${explainDockerdLog(readLog(record)) || 'it logged nothing'} (log: ${record.logPath})`);
    }
    const answer = await requestOverSocket(socket, 'GET', '/_ping', { timeoutMs: 1_000 }).catch(() => undefined);
    if (answer?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new CrbenchError('DAEMON_TIMEOUT',
    `dockerd of group ${record.groupId} did not answer on ${socket} within ${timeoutMs} ms: ${explainDockerdLog(readLog(record))} (log: ${record.logPath})`);
}

/** Writes the state dir and config, starts dockerd (recorded) and waits until it answers. */
export async function startDockerd(workDir: string, groupId: string, paths: DockerdPaths, storageDriver: string,
  options: { binary?: string; readyTimeoutMs?: number } = {}): Promise<DaemonRecord> {
  assertUnderWorkDir(workDir, paths.stateDir, 'keep dockerd state in');
  assertSocketPathsFit(paths);
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.dataRoot, { recursive: true });
  writeFileSync(paths.configFile, `${JSON.stringify(dockerdConfig(paths), null, 2)}\n`);
  const record = startDaemon(workDir, { name: 'dockerd', groupId, argv: dockerdArgv(paths, storageDriver, options.binary) });
  await waitForDockerd(record, paths.socket, options.readyTimeoutMs ?? 60_000);
  return record;
}

// ---------------------------------------------------------------------------------------
// Clean-up

/** What a Docker or Podman group may leave; all of it found from paths and names. */
export interface LeftoverSpec {
  workDir: string;
  /** Removed last, once nothing is mounted below it; must be below the work directory. */
  stateDir: string;
  /** The containers' cgroup parent (a relative path, `/<path>` in every hierarchy). */
  cgroupParent: string;
  /** Processes whose command line names a path below one of these are killed. */
  processRoots: string[];
  /** Everything mounted below (or on) one of these is unmounted, deepest first. */
  mountRoots: string[];
  /** Host paths the group created: files removed, directories removed when empty, in order. */
  createdHostPaths: string[];
}

export type CleanUpSpec =
  | ({ kind: 'leftovers' } & LeftoverSpec)
  | ({ kind: 'dockerd'; socket: string; pidFile: string; execRoot: string; graceMs: number } & LeftoverSpec);

export type DockerdCleanUpSpec = Extract<CleanUpSpec, { kind: 'dockerd' }>;

/** The dockerd clean-up spec of a group. */
export function dockerdCleanUpSpec(workDir: string, paths: DockerdPaths, createdHostPaths: string[]): DockerdCleanUpSpec {
  return {
    kind: 'dockerd', workDir, stateDir: paths.stateDir, cgroupParent: paths.cgroupParent,
    processRoots: [paths.stateDir], mountRoots: [paths.dataRoot, paths.stateDir], createdHostPaths,
    socket: paths.socket, pidFile: paths.pidFile, execRoot: paths.execRoot, graceMs: 20_000,
  };
}

/**
 * argv that runs `spec`'s clean-up in a fresh process: what `crbench teardown` runs after a
 * crash. Node, tsx and this file by absolute path, so it works from any directory.
 */
export function cleanUpCommand(spec: CleanUpSpec): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--import', tsx, fileURLToPath(import.meta.url), 'clean-up', JSON.stringify(spec)];
}

/** The host paths of `candidates` that do not exist now: the ones a group will have created. */
export function absentHostPaths(candidates: string[]): string[] {
  return candidates.filter((candidate) => !existsSync(candidate));
}

function argsOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function isBelowOrAt(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(`${root}/`);
}

/** Processes (not zombies) one of whose arguments is a path below a root, `unix://` sockets included. */
export function processesNaming(roots: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || !isRunning(pid)) continue;
    const names = argsOf(pid).some((arg) => {
      const bare = arg.replace(/^unix:\/\//, '').replace(/^--?[\w-]+=/, '');
      return roots.some((root) => isBelowOrAt(root, bare));
    });
    if (names) found.push(pid);
  }
  return found;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

async function waitUntilGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pids.every((pid) => !isRunning(pid))) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pids.every((pid) => !isRunning(pid));
}

/** The directories of a cgroup in every mounted hierarchy, children before parents. */
export function cgroupDirs(name: string): string[] {
  const hierarchies = readMounts().filter((entry) => entry.type === 'cgroup' || entry.type === 'cgroup2').map((entry) => entry.mountpoint);
  const dirs: string[] = [];
  const walk = (dir: string): void => {
    for (const child of readdirSync(dir, { withFileTypes: true })) {
      if (child.isDirectory()) walk(path.join(dir, child.name));
    }
    dirs.push(dir);
  };
  for (const hierarchy of [...new Set(hierarchies)]) {
    const base = path.join(hierarchy, name);
    if (name !== '' && !name.split('/').includes('..') && existsSync(base)) walk(base);
  }
  return dirs;
}

function pidsIn(dirs: string[]): number[] {
  const pids = new Set<number>();
  for (const dir of dirs) {
    try {
      for (const line of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')) {
        if (/^\d+$/.test(line.trim())) pids.add(Number(line.trim()));
      }
    } catch {
      // removed meanwhile
    }
  }
  return [...pids];
}

/** Kills every process in the cgroup (all hierarchies), waits until it is empty, removes it. */
export async function removeCgroup(name: string, problems: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pids = pidsIn(cgroupDirs(name)).filter(isRunning);
    if (pids.length === 0) break;
    if (Date.now() > deadline) {
      problems.push(`processes ${pids.join(', ')} of cgroup ${name} survived SIGKILL`);
      break;
    }
    pids.forEach((pid) => signal(pid, 'SIGKILL'));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const dir of cgroupDirs(name)) {
    try {
      rmdirSync(dir);
    } catch (error) {
      problems.push(`cannot remove cgroup ${dir}: ${(error as Error).message}`);
    }
  }
}

/** Unmounts everything mounted on or below the roots, the latest mount first; lazily if it must. */
export async function unmountBelow(roots: string[], problems: string[]): Promise<void> {
  const below = () => readMounts().filter((entry) => roots.some((root) => isBelowOrAt(root, entry.mountpoint)));
  for (const entry of below().reverse()) {
    const plain = await $`umount ${entry.mountpoint}`.nothrow();
    if (plain.exitCode !== 0) await $`umount --lazy ${entry.mountpoint}`.nothrow();
  }
  for (const entry of below()) problems.push(`${entry.mountpoint} is still mounted`);
}

/** Removes host paths the group created, in order: files, and directories once empty. */
export function removeCreatedHostPaths(paths: string[], problems: string[]): void {
  for (const candidate of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = lstatSync(candidate).isDirectory();
    } catch {
      continue;
    }
    try {
      if (isDirectory) rmdirSync(candidate);
      else rmSync(candidate, { force: true });
    } catch (error) {
      // A directory someone else now uses stays: it was ours to remove only while empty.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EBUSY') problems.push(`cannot remove ${candidate}: ${(error as Error).message}`);
    }
  }
}

/** Steps 2–6 of the clean-up, shared by Docker and Podman groups. */
export async function cleanUpLeftovers(spec: LeftoverSpec, problems: string[] = []): Promise<string[]> {
  assertUnderWorkDir(spec.workDir, spec.stateDir, 'clean up');
  // 2 the containers (and, for podman, conmon), by the group's cgroup
  await removeCgroup(spec.cgroupParent, problems);
  // 3 daemons and shims that name our state: they are ours and nobody else's
  const named = processesNaming(spec.processRoots);
  named.forEach((pid) => signal(pid, 'SIGKILL'));
  if (!(await waitUntilGone(named, 5_000))) problems.push(`processes ${named.filter(isRunning).join(', ')} survived SIGKILL`);
  // 5 mounts (layers, network namespaces, podman's private bind mount of its overlay home)
  await unmountBelow(spec.mountRoots, problems);
  // 6 cgroups emptied meanwhile, host paths, our state
  await removeCgroup(spec.cgroupParent, problems);
  removeCreatedHostPaths(spec.createdHostPaths, problems);
  if (readMounts().some((entry) => isBelowOrAt(spec.stateDir, entry.mountpoint))) {
    problems.push(`${spec.stateDir} kept: something is still mounted below it`);
  } else if (isUnderWorkDir(spec.workDir, spec.stateDir)) {
    rmSync(spec.stateDir, { recursive: true, force: true });
  }
  return problems;
}

/** containerd-shim sockets live in /run/containerd/s/<hash>; each task's `address` file names its own. */
function shimSockets(execRoot: string): string[] {
  const tasks = path.join(execRoot, 'containerd', 'daemon', 'io.containerd.runtime.v2.task');
  if (!existsSync(tasks)) return [];
  const sockets: string[] = [];
  for (const namespace of readdirSync(tasks)) {
    for (const task of readdirSync(path.join(tasks, namespace))) {
      try {
        const address = readFileSync(path.join(tasks, namespace, task, 'address'), 'utf8').trim().replace(/^unix:\/\//, '');
        if (address.startsWith('/run/containerd/s/') && !address.includes('..')) sockets.push(address);
      } catch {
        // a task without an address file had no shim yet
      }
    }
  }
  return sockets;
}

/** The dockerd whose pid file is ours, if it still runs and still names our exec root. */
function runningDockerd(spec: { pidFile: string; execRoot: string }): number | undefined {
  try {
    const pid = Number(readFileSync(spec.pidFile, 'utf8').trim());
    return pid > 0 && isRunning(pid) && argsOf(pid).includes(spec.execRoot) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Everything of one dockerd group, steps 1–6; returns what could not be removed. */
export async function cleanUpDockerd(spec: DockerdCleanUpSpec): Promise<string[]> {
  const problems: string[] = [];
  // 1 the daemon, gracefully while it answers
  const pid = runningDockerd(spec);
  if (pid !== undefined) {
    const listed = await requestOverSocket(spec.socket, 'GET', '/containers/json?all=1', { timeoutMs: 5_000 }).catch(() => undefined);
    if (listed?.status === 200) {
      for (const { Id } of JSON.parse(listed.body.toString('utf8')) as { Id: string }[]) {
        await requestOverSocket(spec.socket, 'DELETE', `/containers/${Id}?force=1&v=1`, { timeoutMs: 15_000 }).catch(() => undefined);
      }
    }
    signal(pid, 'SIGTERM');
    if (!(await waitUntilGone([pid], spec.graceMs))) {
      signal(pid, 'SIGKILL');
      await waitUntilGone([pid], 5_000);
    }
  }
  const sockets = shimSockets(spec.execRoot);
  await cleanUpLeftovers(spec, problems);
  // 4 shim sockets left by shims that were killed rather than shut down (the state dir is gone now)
  for (const socket of sockets) rmSync(socket, { force: true });
  removeCreatedHostPaths(spec.createdHostPaths, problems);
  return problems;
}

export async function cleanUp(spec: CleanUpSpec): Promise<string[]> {
  return spec.kind === 'dockerd' ? cleanUpDockerd(spec) : cleanUpLeftovers(spec);
}

async function main(argv: string[]): Promise<void> {
  const [command, json] = argv;
  if (command === 'clean-up' && json !== undefined) {
    const problems = await cleanUp(JSON.parse(json) as CleanUpSpec);
    for (const problem of problems) console.error(`clean-up: ${problem}`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  } else {
    console.log("usage: provision/daemons/dockerd.ts clean-up '<json spec>'");
    process.exitCode = command === '--help' || command === '-h' ? 0 : 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  });
}
