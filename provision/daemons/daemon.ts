import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../../pipeline/errors.ts';
import { assertUnderWorkDir } from '../work-dir.ts';

/**
 * A daemon the pipeline started for one cell group (dockerd, lxd): recorded on disk with
 * its pid before anything waits on it, so teardown can stop it even after a crash.
 */
export interface DaemonRecord {
  name: string;
  groupId: string;
  pid: number;
  argv: string[];
  /** Where its stdout and stderr go, below the work directory. */
  logPath: string;
  /** Commands run, in order and best effort, before the daemon is signalled (e.g. `lxd shutdown`). */
  shutdownCommands: string[][];
}

function recordDir(workDir: string): string {
  return path.join(workDir, 'daemons');
}

function recordPath(workDir: string, name: string, groupId: string): string {
  return path.join(recordDir(workDir), `${groupId}.${name}.json`);
}

/**
 * Starts `argv` detached in its own process group (so a Ctrl-C to crbench does not reach it
 * before teardown does), logging to a file, and records it. With `recordFirst`, the record
 * (pid 0, which no signal reaches) is written before the spawn too, so that its shutdown
 * commands run at teardown even if crbench dies between the two: for a daemon whose
 * clean-up finds it without its pid (zfs-fuse.ts).
 */
export function startDaemon(workDir: string, spec: { name: string; groupId: string; argv: string[]; env?: NodeJS.ProcessEnv; shutdownCommands?: string[][]; recordFirst?: boolean }): DaemonRecord {
  const [file, ...args] = spec.argv;
  if (file === undefined) throw new Error('startDaemon needs a command');
  mkdirSync(recordDir(workDir), { recursive: true });
  const logPath = path.join(recordDir(workDir), `${spec.groupId}.${spec.name}.log`);
  assertUnderWorkDir(workDir, logPath, 'log a daemon to');
  const record: DaemonRecord = { name: spec.name, groupId: spec.groupId, pid: 0, argv: spec.argv, logPath, shutdownCommands: spec.shutdownCommands ?? [] };
  if (spec.recordFirst === true) writeFileSync(recordPath(workDir, spec.name, spec.groupId), JSON.stringify(record, null, 2));
  const logFd = openSync(logPath, 'a');
  const child = spawn(file, args, { detached: true, stdio: ['ignore', logFd, logFd], env: spec.env ?? process.env });
  closeSync(logFd);
  child.unref();
  if (child.pid === undefined) {
    rmSync(recordPath(workDir, spec.name, spec.groupId), { force: true });
    throw new CrbenchError('DAEMON_FAILED', `could not start ${file}`);
  }
  record.pid = child.pid;
  writeFileSync(recordPath(workDir, spec.name, spec.groupId), JSON.stringify(record, null, 2));
  return record;
}

export function listDaemons(workDir: string): DaemonRecord[] {
  if (!existsSync(recordDir(workDir))) return [];
  return readdirSync(recordDir(workDir)).filter((file) => file.endsWith('.json')).sort()
    .map((file) => JSON.parse(readFileSync(path.join(recordDir(workDir), file), 'utf8')) as DaemonRecord);
}

/** The last lines a daemon logged, for an error message that says why it died. */
export function tailLog(record: DaemonRecord, lines = 5): string {
  try {
    return readFileSync(record.logPath, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '';
  }
}

/** Alive and not a zombie: our daemons are reparented to an init that may never reap them. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The command line of `pid`, to make sure a recorded pid still is our daemon and not a reused one. */
function commandLineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isRunning(pid);
}

/**
 * Runs the shutdown commands, then SIGTERM to the daemon's process group, SIGKILL after
 * `graceMs`; removes the record. Idempotent; a pid now held by another program is not signalled.
 */
export async function stopDaemon(workDir: string, record: DaemonRecord, graceMs = 15_000): Promise<void> {
  const { execFile } = await import('node:child_process');
  // The shutdown commands also clean up after the daemon (unmounts, locks): they run even
  // when it has died already. They name our own paths, so a reused pid does not matter here.
  for (const [file, ...args] of record.shutdownCommands) {
    if (file === undefined) continue;
    await new Promise((resolve) => execFile(file, args, { timeout: graceMs }, resolve));
  }
  const ours = isRunning(record.pid) && commandLineOf(record.pid)[0] === record.argv[0];
  if (ours) {
    for (const [signal, wait] of [['SIGTERM', graceMs], ['SIGKILL', 5_000]] as const) {
      if (!isRunning(record.pid)) break;
      try { process.kill(-record.pid, signal); } catch { try { process.kill(record.pid, signal); } catch { /* gone */ } }
      await waitForExit(record.pid, wait);
    }
  }
  rmSync(recordPath(workDir, record.name, record.groupId), { force: true });
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

function rssBytesOf(pid: number): number {
  const line = read(`/proc/${pid}/status`)?.split('\n').find((entry) => entry.startsWith('VmRSS:'));
  return line === undefined ? 0 : Number(line.replace(/\D+/g, '')) * 1024;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Resident memory of the group's daemons and everything they started (containerd, shims), or null without daemons. */
export function daemonRssBytes(workDir: string, groupId: string): number | null {
  const roots = listDaemons(workDir).filter((daemon) => daemon.groupId === groupId && isRunning(daemon.pid)).map((daemon) => daemon.pid);
  if (roots.length === 0) return null;
  const seen = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...childrenOf(pid));
  }
  return [...seen].reduce((sum, pid) => sum + rssBytesOf(pid), 0);
}
