import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MountEntry } from '../mounts.ts';
import type { PoolStep } from './netns-pool.ts';

/**
 * A pool's cgroups: one relative path (`crbench-XXXX/<group>/pool-K`) made in every hierarchy
 * the runtime puts a container in, with the container limits already written, so that a
 * container handed one through `cgroupsPath` finds it ready. On a hybrid host that is every
 * v1 hierarchy (named ones too: runc makes `name=systemd`) and, for runc, the cgroup2 mount as
 * well; on a v2 host the one v2 hierarchy, its parents delegating the controllers.
 */

/** One mounted cgroup hierarchy: where, which version, which controllers it holds. */
export interface CgroupHierarchy {
  mountpoint: string;
  version: 1 | 2;
  /** v1: from the mount options (`memory`, `cpu`, `name=systemd`); v2: cgroup.controllers. */
  controllers: string[];
}

/** The limits a pooled cgroup holds before any container joins it, as the kernel files take them. */
export interface CgroupLimits {
  memoryBytes: number;
  /** Memory plus swap (v1 memsw); equal to memoryBytes: no swap, as the OCI config asks. */
  memoryAndSwapBytes: number;
  pids: number;
  cpuQuotaUs: number;
  cpuPeriodUs: number;
}

/** One member of the pool: its path below every hierarchy's root, and the directories that path is. */
export interface CgroupMember {
  /** What the OCI config's `cgroupsPath` says, with its leading slash. */
  cgroupsPath: string;
  /** The member's directory in each hierarchy, in hierarchy order. */
  dirs: string[];
  /** The writes that give it its limits, in order (cpuset's cpus and mems first: a v1 cpuset takes no process without them). */
  writes: { file: string; value: string }[];
  /** Counters a returned member starts again from zero where the kernel lets them be written. */
  resets: string[];
}

/** The v1 controllers a mount option names; `rw`, `relatime` and the like are not controllers. */
const MOUNT_OPTIONS = new Set(['rw', 'ro', 'relatime', 'noatime', 'nosuid', 'nodev', 'noexec', 'nsdelegate', 'memory_recursiveprot', 'clone_children', 'xattr']);

/**
 * The hierarchies a container's cgroup goes in, from the host's mounts: every v1 one, and the
 * cgroup2 one unless the runtime cannot see it (crun's namespace on a hybrid host unmounts it).
 */
export function cgroupHierarchies(mounts: readonly MountEntry[], options: { cgroup2: boolean }, readControllers = (dir: string) => readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8')): CgroupHierarchy[] {
  const hierarchies: CgroupHierarchy[] = [];
  for (const mount of mounts) {
    if (mount.type === 'cgroup') {
      hierarchies.push({ mountpoint: mount.mountpoint, version: 1, controllers: mount.options.filter((option) => !MOUNT_OPTIONS.has(option)) });
    } else if (mount.type === 'cgroup2' && options.cgroup2) {
      hierarchies.push({ mountpoint: mount.mountpoint, version: 2, controllers: readControllers(mount.mountpoint).trim().split(/\s+/).filter(Boolean) });
    }
  }
  return hierarchies;
}

/** The member's limit writes in one hierarchy (`parentCpuset`: the cpus and mems a v1 cpuset copies from its parent). */
export function limitWrites(hierarchy: CgroupHierarchy, dir: string, limits: CgroupLimits, parentCpuset: { cpus: string; mems: string } | undefined, hasMemsw: boolean): { file: string; value: string }[] {
  const at = (file: string) => path.join(dir, file);
  const has = (controller: string) => hierarchy.controllers.includes(controller);
  if (hierarchy.version === 2) {
    return [
      ...(has('memory') ? [{ file: at('memory.max'), value: String(limits.memoryBytes) }, { file: at('memory.swap.max'), value: String(limits.memoryAndSwapBytes - limits.memoryBytes) }] : []),
      ...(has('pids') ? [{ file: at('pids.max'), value: String(limits.pids) }] : []),
      ...(has('cpu') ? [{ file: at('cpu.max'), value: `${limits.cpuQuotaUs} ${limits.cpuPeriodUs}` }] : []),
    ];
  }
  return [
    ...(has('cpuset') && parentCpuset !== undefined ? [{ file: at('cpuset.cpus'), value: parentCpuset.cpus }, { file: at('cpuset.mems'), value: parentCpuset.mems }] : []),
    ...(has('memory') ? [{ file: at('memory.limit_in_bytes'), value: String(limits.memoryBytes) }] : []),
    ...(has('memory') && hasMemsw ? [{ file: at('memory.memsw.limit_in_bytes'), value: String(limits.memoryAndSwapBytes) }] : []),
    ...(has('pids') ? [{ file: at('pids.max'), value: String(limits.pids) }] : []),
    ...(has('cpu') ? [{ file: at('cpu.cfs_period_us'), value: String(limits.cpuPeriodUs) }, { file: at('cpu.cfs_quota_us'), value: String(limits.cpuQuotaUs) }] : []),
  ];
}

/** The v1 peak and fail counters that take a 0 (v2's memory.peak cannot be reset for everyone). */
export function counterResets(hierarchy: CgroupHierarchy, dir: string, hasMemsw: boolean): string[] {
  if (hierarchy.version !== 1 || !hierarchy.controllers.includes('memory')) return [];
  return ['memory.max_usage_in_bytes', 'memory.failcnt', ...(hasMemsw ? ['memory.memsw.max_usage_in_bytes', 'memory.memsw.failcnt'] : [])].map((file) => path.join(dir, file));
}

function readTrimmed(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

/**
 * Makes every level of `relative` below each hierarchy that is missing, the way runc does for a
 * fresh cgroup: a v1 cpuset level copies its parent's cpus and mems, a v2 level has its
 * parent delegate the controllers the limits need. In-process (a setup step, not timed).
 */
function makeLevels(hierarchy: CgroupHierarchy, relative: string): void {
  let dir = hierarchy.mountpoint;
  for (const part of relative.split('/').filter(Boolean)) {
    const parent = dir;
    dir = path.join(dir, part);
    if (hierarchy.version === 2) {
      const wanted = ['memory', 'pids', 'cpu'].filter((controller) => hierarchy.controllers.includes(controller));
      const enabled = readTrimmed(path.join(parent, 'cgroup.subtree_control')).split(/\s+/);
      const missing = wanted.filter((controller) => !enabled.includes(controller));
      if (missing.length > 0) writeFileSync(path.join(parent, 'cgroup.subtree_control'), missing.map((controller) => `+${controller}`).join(' '));
    }
    if (existsSync(dir)) continue;
    mkdirSync(dir);
    if (hierarchy.version === 1 && hierarchy.controllers.includes('cpuset')) {
      writeFileSync(path.join(dir, 'cpuset.cpus'), readTrimmed(path.join(parent, 'cpuset.cpus')));
      writeFileSync(path.join(dir, 'cpuset.mems'), readTrimmed(path.join(parent, 'cpuset.mems')));
    }
  }
}

/**
 * Makes member `cgroupsPath` (`/crbench-XXXX/<group>/pool-K`) in every hierarchy and writes its
 * limits. Its directories must already be in the pool's record (teardown removes them).
 */
export function createCgroupMember(cgroupsPath: string, hierarchies: readonly CgroupHierarchy[], limits: CgroupLimits): CgroupMember {
  const member: CgroupMember = { cgroupsPath, dirs: [], writes: [], resets: [] };
  for (const hierarchy of hierarchies) {
    makeLevels(hierarchy, cgroupsPath);
    const dir = path.join(hierarchy.mountpoint, cgroupsPath);
    const parent = path.dirname(dir);
    const parentCpuset = hierarchy.version === 1 && hierarchy.controllers.includes('cpuset')
      ? { cpus: readTrimmed(path.join(parent, 'cpuset.cpus')), mems: readTrimmed(path.join(parent, 'cpuset.mems')) } : undefined;
    const hasMemsw = existsSync(path.join(dir, 'memory.memsw.limit_in_bytes'));
    const writes = limitWrites(hierarchy, dir, limits, parentCpuset, hasMemsw);
    for (const { file, value } of writes) writeFileSync(file, value);
    member.dirs.push(dir);
    member.writes.push(...writes);
    member.resets.push(...counterResets(hierarchy, dir, hasMemsw));
  }
  return member;
}

/** Where member `index` of a group's pool lives below every hierarchy (`parent`: the work directory's tree). */
export function cgroupsPathOf(parent: string, groupId: string, index: number): string {
  return `/${parent}/${groupId}/pool-${index}`;
}

/** The directories of `cgroupsPath` in every hierarchy, known before any is made (they are recorded first). */
export function cgroupDirsOf(cgroupsPath: string, hierarchies: readonly CgroupHierarchy[]): string[] {
  return hierarchies.map((hierarchy) => path.join(hierarchy.mountpoint, cgroupsPath));
}

/**
 * Checked before a cgroup is handed out, in-process (nothing spawned, outside every clock): in
 * every hierarchy it exists, holds no process, and holds its limits. Why not, or undefined.
 */
export function checkCgroupBeforeTake(member: CgroupMember): string | undefined {
  for (const dir of member.dirs) {
    if (!existsSync(dir)) return `${dir} is gone`;
    const procs = readTrimmed(path.join(dir, 'cgroup.procs'));
    if (procs !== '') return `${dir} still holds processes ${procs.split('\n').join(', ')}`;
  }
  for (const { file, value } of member.writes) {
    let held: string;
    try {
      held = readTrimmed(file);
    } catch (error) {
      return `cannot read ${file}: ${(error as Error).message}`;
    }
    if (held !== value) return `${file} holds ${held}, not ${value}`;
  }
  return undefined;
}

/** Labels of the clean steps that give a cgroup back to the pool. */
export const CGROUP_RECREATE_LABEL = 'cgroup: wait until empty, re-create (the runtime removed it)';
export const CGROUP_LIMITS_LABEL = 'cgroup: write limits, reset counters';

/**
 * Waits (up to 1 s) until every directory still there holds no process, then `mkdir -p`s them
 * all: runc and crun remove the cgroup a container was given when they delete it (seen with
 * runc 1.1.5 and crun 1.8.1, even when they did not make it), so giving it back re-creates it.
 */
export const WAIT_EMPTY_THEN_MKDIR = [
  'for d do',
  '  [ -d "$d" ] || continue',
  '  i=0',
  '  while IFS= read -r pid < "$d/cgroup.procs"; do',
  '    i=$((i+1)); if [ $i -gt 100 ]; then echo "$d still holds process $pid after 1 s" >&2; exit 1; fi',
  '    sleep 0.01',
  '  done',
  'done',
  'exec mkdir -p "$@"',
].join('\n');

/** Writes each VALUE to its FILE (the arguments, in pairs), in order; builtins only. */
export const WRITE_PAIRS = 'while [ $# -gt 1 ]; do printf "%s\\n" "$2" > "$1"; shift 2; done';

/**
 * The clean steps that give `member` back: wait until empty and re-create what the runtime
 * removed, then write its limits again (a re-created cgroup has none) and reset its counters
 * (a peak must not carry over to the next holder).
 */
export function cgroupReturnSteps(member: CgroupMember): PoolStep[] {
  const pairs = [...member.writes.flatMap(({ file, value }) => [file, value]), ...member.resets.flatMap((file) => [file, '0'])];
  return [
    { label: CGROUP_RECREATE_LABEL, argv: ['sh', '-c', WAIT_EMPTY_THEN_MKDIR, 'cgroup-return', ...member.dirs] },
    { label: CGROUP_LIMITS_LABEL, argv: ['sh', '-c', WRITE_PAIRS, 'cgroup-limits', ...pairs] },
  ];
}

/**
 * Removes `dirs` (cgroup directories), children first, each once it holds no process (waiting up
 * to `waitMs` for the exiting ones); returns those that could not be removed, with why.
 */
export async function removeCgroupDirs(dirs: readonly string[], waitMs = 1000): Promise<string[]> {
  const left: string[] = [];
  const removeTree = async (dir: string): Promise<void> => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      const child = path.join(dir, entry);
      if (statSync(child).isDirectory()) await removeTree(child);
    }
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        rmdirSync(dir);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code !== 'EBUSY' || Date.now() > deadline) {
          left.push(`${dir}: ${(error as Error).message}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  for (const dir of dirs) await removeTree(dir);
  return left;
}
