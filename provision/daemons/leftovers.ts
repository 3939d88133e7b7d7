import { existsSync, lstatSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { readMounts } from '../mounts.ts';
import { assertUnderWorkDir, isUnderWorkDir } from '../work-dir.ts';
import { isRunning } from './daemon.ts';

/**
 * What a daemon-backed runtime group (Docker, Podman) may leave on the host, found from paths
 * and names only, so that the same clean-up works after crbench itself was killed:
 *   2 every process in the group's cgroup (the containers), SIGKILL
 *   3 every process whose command line names a path below the state dir (containerd, shims,
 *     conmon), SIGKILL
 *   5 everything mounted below the data root and the state dir, deepest first
 *   6 the cgroup tree, the host paths this group created, the state dir
 * (Step 1, the daemon itself, and 4, containerd's shim sockets, are Docker's: dockerd.ts.)
 */

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

/** The host paths of `candidates` that do not exist now: the ones a group will have created. */
export function absentHostPaths(candidates: string[]): string[] {
  return candidates.filter((candidate) => !existsSync(candidate));
}

export function argsOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export function isBelowOrAt(root: string, candidate: string): boolean {
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

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

export async function waitUntilGone(pids: number[], timeoutMs: number): Promise<boolean> {
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
