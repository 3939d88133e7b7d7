import { readdirSync, readFileSync } from 'node:fs';
import { CrbenchError } from '../../../errors.ts';

/**
 * What the host can read about a running QEMU, outside any clock: its pid (from `-pidfile`)
 * and its resident memory. QEMU's RSS is the VM's memory cost as the host pays it, recorded
 * per VM like a daemon's: the guest RAM it has touched (transparent huge pages round that
 * up), the mapped vmlinux and TCG's code buffer (about 235 MB for an idle 256 MiB guest here).
 */

/** VmRSS of a /proc/PID/status text, in bytes; null when the line is absent (a zombie has none). */
export function parseVmRssBytes(status: string): number | null {
  const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  return kib === undefined ? null : Number(kib) * 1024;
}

/** QEMU's resident memory now, in bytes; null when the process is gone or a zombie. */
export function readQemuRssBytes(pid: number, procRoot = '/proc'): number | null {
  try {
    return parseVmRssBytes(readFileSync(`${procRoot}/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

/** The pid QEMU wrote with `-pidfile` once it was up (it writes the file before `-daemonize` returns). */
export function readQemuPid(pidfile: string): number {
  let text: string;
  try {
    text = readFileSync(pidfile, 'utf8');
  } catch (error) {
    throw new CrbenchError('VM_NO_PIDFILE', `QEMU left no pidfile at ${pidfile}: did the create step fail? (${(error as Error).message})`, { cause: error });
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 1) throw new CrbenchError('VM_NO_PIDFILE', `QEMU's pidfile ${pidfile} holds '${text.trim()}', not a pid`);
  return pid;
}

/** Whether `pid` is still a live process (a zombie is dead: it waits only to be reaped). */
export function isQemuAlive(pid: number, procRoot = '/proc'): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`${procRoot}/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Live QEMU processes whose command line names a path below `workDir` (their sockets, pidfile
 * and console log are there): what a teardown after a kill -9 must end. A daemonized QEMU is
 * nobody's child once the run that made it is gone, so only its argv ties it to the run.
 */
export function findQemuPids(workDir: string, procRoot = '/proc'): number[] {
  const prefix = `${workDir.replace(/\/+$/, '')}/`;
  const pids: number[] = [];
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`${procRoot}/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const isQemu = /(^|\/)qemu-system-[\w-]+$/.test(argv[0] ?? '');
    if (isQemu && argv.some((arg) => arg.includes(prefix)) && isQemuAlive(Number(name), procRoot)) pids.push(Number(name));
  }
  return pids.sort((a, b) => a - b);
}
