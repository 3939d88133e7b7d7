import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { readMounts } from './mounts.ts';

/**
 * The cgroup every container of one work directory goes under: named after the work
 * directory, so two runs side by side never share a container's cgroup, and teardown knows
 * exactly which tree is its own.
 */
export function cgroupParentOf(workDir: string): string {
  return `crbench-${createHash('sha256').update(path.resolve(workDir)).digest('hex').slice(0, 8)}`;
}

function removeEmptyTree(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const child = path.join(dir, entry);
    if (statSync(child).isDirectory()) removeEmptyTree(child);
  }
  try {
    rmdirSync(dir);
  } catch {
    // Still holds a process (a container of a live run): a cgroup is only removed empty.
  }
}

/** Removes the work directory's cgroup tree from every cgroup hierarchy; returns how many hierarchies had one. */
export function removeCgroupTree(workDir: string): number {
  let removed = 0;
  for (const mount of readMounts().filter((entry) => entry.type === 'cgroup' || entry.type === 'cgroup2')) {
    const tree = path.join(mount.mountpoint, cgroupParentOf(workDir));
    if (!existsSync(tree)) continue;
    removeEmptyTree(tree);
    removed += 1;
  }
  return removed;
}
