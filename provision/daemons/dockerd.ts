/**
 * A dockerd of the pipeline's own for one cell group, and the removal of everything a Docker
 * group may leave on the host, also after crbench itself was killed (the steps it shares with
 * Podman are in leftovers.ts; clean-up.ts runs them in a process of their own).
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
 * `crbench teardown` runs it after a crash through provision/daemons/clean-up.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../../pipeline/errors.ts';
import { cgroupParentOf } from '../cgroups.ts';
import { assertUnderWorkDir } from '../work-dir.ts';
import { isRunning, startDaemon, type DaemonRecord } from './daemon.ts';
import { requestOverSocket } from './http-over-socket.ts';
import { argsOf, cleanUpLeftovers, removeCreatedHostPaths, signal, waitUntilGone, type LeftoverSpec } from './leftovers.ts';

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

/** An OCI runtime dockerd may run besides runc (daemon.json `runtimes`), as INGInious's `runtime=` chooses. */
export interface DockerRuntimeEntry {
  path: string;
  runtimeArgs?: string[];
}

/**
 * daemon.json: the trust key moved off /etc/docker (the only setting without a flag), and the
 * OCI runtimes registered besides runc.
 */
export function dockerdConfig(paths: DockerdPaths, runtimes: Record<string, DockerRuntimeEntry> = {}): Record<string, unknown> {
  return { 'deprecated-key-path': paths.keyFile, ...(Object.keys(runtimes).length > 0 ? { runtimes } : {}) };
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
  options: { binary?: string; readyTimeoutMs?: number; runtimes?: Record<string, DockerRuntimeEntry> } = {}): Promise<DaemonRecord> {
  assertUnderWorkDir(workDir, paths.stateDir, 'keep dockerd state in');
  assertSocketPathsFit(paths);
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.dataRoot, { recursive: true });
  writeFileSync(paths.configFile, `${JSON.stringify(dockerdConfig(paths, options.runtimes), null, 2)}\n`);
  const record = startDaemon(workDir, { name: 'dockerd', groupId, argv: dockerdArgv(paths, storageDriver, options.binary) });
  await waitForDockerd(record, paths.socket, options.readyTimeoutMs ?? 60_000);
  return record;
}

// ---------------------------------------------------------------------------------------
// Clean-up

export type DockerdCleanUpSpec = { kind: 'dockerd'; socket: string; pidFile: string; execRoot: string; graceMs: number } & LeftoverSpec;

/** The dockerd clean-up spec of a group. */
export function dockerdCleanUpSpec(workDir: string, paths: DockerdPaths, createdHostPaths: string[]): DockerdCleanUpSpec {
  return {
    kind: 'dockerd', workDir, stateDir: paths.stateDir, cgroupParent: paths.cgroupParent,
    processRoots: [paths.stateDir], mountRoots: [paths.dataRoot, paths.stateDir], createdHostPaths,
    socket: paths.socket, pidFile: paths.pidFile, execRoot: paths.execRoot, graceMs: 20_000,
  };
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

