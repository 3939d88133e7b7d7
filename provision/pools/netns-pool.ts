import { readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { runStep } from '../run-step.ts';

/**
 * A pool's network namespaces: each one a file of the pool's directory with a namespace
 * bind-mounted on it (`unshare --net=FILE true`), so it outlives the process that made it and a
 * container joins it through the OCI config's `linux.namespaces[].path`. A new namespace holds
 * nothing but a loopback that is down, which is what a container with no network gets.
 */

/** A step the adapter runs, as the pools describe it: a label for the phase's records and the argv. */
export interface PoolStep {
  label: string;
  argv: string[];
}

/** The files of a pool of `count` namespaces below `dir`, known before any exists (they are recorded first). */
export function netnsFilesOf(dir: string, count: number): string[] {
  return Array.from({ length: count }, (_value, index) => path.join(dir, `net-${index}`));
}

/** Makes the namespace of `file`: an empty file, a new network namespace bind-mounted on it. */
export async function createNetns(file: string): Promise<void> {
  writeFileSync(file, '');
  await runStep(`making the network namespace ${file}`, $`unshare --net=${file} true`);
}

/**
 * The namespace's inode when a network namespace is mounted on `file` (an nsfs mount has a
 * device of its own, unlike the empty file under it), or undefined when none is.
 */
export function netnsInodeOf(file: string): number | undefined {
  try {
    const mounted = statSync(file);
    return mounted.dev === statSync(path.dirname(file)).dev ? undefined : mounted.ino;
  } catch {
    return undefined;
  }
}

/** The pids whose network namespace has inode `inode`, from /proc/<pid>/ns/net (`net:[INODE]`). */
export function processesInNetns(inode: number, procRoot = '/proc'): number[] {
  const wanted = `net:[${inode}]`;
  const pids: number[] = [];
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(path.join(procRoot, entry, 'ns', 'net')) === wanted) pids.push(Number(entry));
    } catch {
      // The process exited while we looked, or is a kernel thread without the link.
    }
  }
  return pids;
}

/**
 * Checked before a namespace is handed out, in-process (nothing spawned, outside every clock):
 * it is still a namespace, and no process is in it. Its interfaces were checked when its last
 * holder gave it back (netnsCheckStep), or it was made new (netnsReplaceStep). Why not, or undefined.
 */
export function checkNetnsBeforeTake(file: string, procRoot = '/proc'): string | undefined {
  const inode = netnsInodeOf(file);
  if (inode === undefined) return `${file} holds no network namespace any more`;
  const pids = processesInNetns(inode, procRoot);
  return pids.length === 0 ? undefined : `processes ${pids.join(', ')} are still in the network namespace ${file}`;
}

/** The label of the interface check in a container's clean. */
export const NETNS_CHECK_LABEL = 'netns: check it is empty, return to pool';

/**
 * The clean step that checks a namespace before it goes back to the pool: its interfaces, as
 * seen from inside it. What it prints is judged by judgeNetnsLinks, outside the clock.
 */
export function netnsCheckStep(file: string): PoolStep {
  return { label: NETNS_CHECK_LABEL, argv: ['nsenter', `--net=${file}`, 'ip', '-o', 'link', 'show'] };
}

/** One interface of `ip -o link show`: `1: lo: <LOOPBACK> mtu … state DOWN …`. */
const LINK_LINE = /^\d+:\s+([^:@\s]+)(?:@[^:\s]+)?:\s+<([^>]*)>/;

/**
 * Whether `ip -o link show` inside a namespace shows what a fresh one holds: one interface,
 * `lo`, not up. Why not, or undefined.
 */
export function judgeNetnsLinks(stdout: string): string | undefined {
  const links = stdout.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const match = LINK_LINE.exec(line);
    return match === null ? { name: line.trim(), flags: [] as string[], parsed: false } : { name: match[1] ?? '', flags: (match[2] ?? '').split(','), parsed: true };
  });
  const unparsed = links.find((link) => !link.parsed);
  if (unparsed !== undefined) return `cannot read the interface line ${JSON.stringify(unparsed.name.slice(0, 80))}`;
  const others = links.filter((link) => link.name !== 'lo').map((link) => link.name);
  if (others.length > 0) return `the namespace has interfaces other than lo: ${others.join(', ')}`;
  if (links.length === 0) return 'the namespace shows no loopback interface';
  if (links.some((link) => link.flags.includes('UP'))) return 'the loopback interface is up';
  return undefined;
}

/**
 * What replaces a namespace that failed its check, or whose holder failed: the old one is
 * unmounted (the kernel frees it once nothing holds it) and a new one is mounted on the same
 * file, so the pool keeps its size. Outside every clock.
 */
export function netnsReplaceStep(file: string): PoolStep {
  return { label: 'netns: replace in pool (untimed)', argv: ['sh', '-c', 'umount "$1"; exec unshare --net="$1" true', 'netns-replace', file] };
}

/** Unmounts the namespace of `file`, if one is mounted; the file itself goes with the pool's directory. */
export async function releaseNetns(file: string): Promise<void> {
  if (netnsInodeOf(file) !== undefined) await $`umount ${file}`.nothrow();
}
