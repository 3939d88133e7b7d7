#!/usr/bin/env -S node --import tsx
/**
 * The pools of one cell group: pre-made network namespaces and cgroups that the group's
 * containers with `netns: reused` or `cgroup: reused` take one at a time (SOCK's second and
 * third levers). Made when the group's runtime opens, before its own mount namespace exists
 * (crun's), released when it closes, and torn down from their record after a crash:
 *
 *   record pools/<group>.json (every file and directory, before any exists)
 *   → mkdir pools/<group>; bind-mount it on itself, shared   (so a runtime's own mount
 *     namespace, a slave of the host's, sees a namespace replaced later)
 *   → unshare --net=pools/<group>/net-K true, K < netns demand
 *   → mkdir <hierarchy>/crbench-XXXX/<group>/pool-K in every hierarchy, limits written
 *
 * Runs on its own too: provision/pools/group-pools.ts status | down
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { findMount } from '../mounts.ts';
import { runStep } from '../run-step.ts';
import { assertUnderWorkDir, resolveWorkDir, workPaths } from '../work-dir.ts';
import { cgroupDirsOf, cgroupsPathOf, checkCgroupBeforeTake, createCgroupMember, removeCgroupDirs, type CgroupHierarchy, type CgroupLimits, type CgroupMember } from './cgroup-pool.ts';
import { checkNetnsBeforeTake, createNetns, netnsFilesOf, releaseNetns } from './netns-pool.ts';
import { ResourcePool } from './resource-pool.ts';

/** How many of each a group's cells hold at once: the largest concurrency of a cell that reuses one. */
export interface PoolDemand {
  netns: number;
  cgroup: number;
}

/** What teardown needs to remove a group's pools, written before any of it exists. */
export interface PoolRecord {
  groupId: string;
  /** The pool's directory: its namespace files, and a bind mount of itself when it holds any. */
  dir: string;
  netnsFiles: string[];
  /** Every member's directory in every hierarchy. */
  cgroupDirs: string[];
}

export interface GroupPools {
  /** The namespace files, or null when no cell of the group reuses a namespace. */
  netns: ResourcePool<string> | null;
  cgroup: ResourcePool<CgroupMember> | null;
  release(): Promise<void>;
}

const recordPath = (workDir: string, groupId: string) => path.join(workPaths(workDir).pools, `${groupId}.json`);

export function listPoolRecords(workDir: string): PoolRecord[] {
  const dir = workPaths(workDir).pools;
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((file) => file.endsWith('.json')).sort()
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as PoolRecord);
}

/**
 * Removes what a record names, whatever exists of it: the namespaces (unmounted), the shared
 * bind mount and the directory, the cgroups (children first, once empty). Idempotent. Returns
 * what could not be removed (a cgroup that still holds a process), after removing the rest.
 */
export async function releasePoolRecord(workDir: string, record: PoolRecord): Promise<string[]> {
  for (const file of record.netnsFiles) await releaseNetns(file);
  if (existsSync(record.dir)) {
    assertUnderWorkDir(workDir, record.dir, 'remove the pool directory');
    if (findMount(record.dir) !== undefined) await $`umount ${record.dir}`.nothrow();
    rmSync(record.dir, { recursive: true, force: true });
  }
  const left = await removeCgroupDirs(record.cgroupDirs);
  if (left.length === 0) rmSync(recordPath(workDir, record.groupId), { force: true });
  return left;
}

/**
 * Makes the pools `demand` asks for, recording everything first; a pool that cannot be made
 * completely is removed again before the error is thrown. `hierarchies` are those the runtime
 * puts a container's cgroup in; `cgroupParent` the work directory's tree (cgroupParentOf).
 */
export async function openGroupPools(options: {
  workDir: string; groupId: string; demand: PoolDemand; cgroupParent: string; hierarchies: readonly CgroupHierarchy[]; limits: CgroupLimits;
}): Promise<GroupPools> {
  const { workDir, groupId, demand } = options;
  const none: GroupPools = { netns: null, cgroup: null, release: async () => undefined };
  if (demand.netns <= 0 && demand.cgroup <= 0) return none;
  const dir = path.join(workPaths(workDir).pools, groupId);
  assertUnderWorkDir(workDir, dir, 'make a pool in');
  const netnsFiles = netnsFilesOf(dir, Math.max(0, demand.netns));
  const cgroupsPaths = Array.from({ length: Math.max(0, demand.cgroup) }, (_value, index) => cgroupsPathOf(options.cgroupParent, groupId, index));
  const record: PoolRecord = { groupId, dir, netnsFiles, cgroupDirs: cgroupsPaths.flatMap((cgroupsPath) => cgroupDirsOf(cgroupsPath, options.hierarchies)) };
  mkdirSync(workPaths(workDir).pools, { recursive: true });
  writeFileSync(recordPath(workDir, groupId), JSON.stringify(record, null, 2));
  const release = async () => {
    const left = await releasePoolRecord(workDir, record);
    if (left.length > 0) throw new Error(`releasing the pools of ${groupId} left ${left.join('; ')}`);
  };
  try {
    mkdirSync(dir, { recursive: true });
    if (netnsFiles.length > 0) {
      await runStep(`sharing the pool directory ${dir}`, $`mount --bind ${dir} ${dir}`);
      await runStep(`sharing the pool directory ${dir}`, $`mount --make-shared ${dir}`);
      for (const file of netnsFiles) await createNetns(file);
    }
    const members = cgroupsPaths.map((cgroupsPath) => createCgroupMember(cgroupsPath, options.hierarchies, options.limits));
    return {
      netns: netnsFiles.length > 0 ? new ResourcePool({ name: `${groupId} network namespace`, members: netnsFiles, checkBeforeTake: (file) => checkNetnsBeforeTake(file) }) : null,
      cgroup: members.length > 0 ? new ResourcePool({ name: `${groupId} cgroup`, members, checkBeforeTake: checkCgroupBeforeTake }) : null,
      release,
    };
  } catch (error) {
    await releasePoolRecord(workDir, record).catch(() => undefined);
    throw error;
  }
}

async function main(argv: string[]): Promise<void> {
  const workDir = resolveWorkDir();
  const [command] = argv;
  if (command === 'status') {
    for (const record of listPoolRecords(workDir)) {
      console.log(`${record.groupId}\t${record.netnsFiles.length} namespaces\t${record.cgroupDirs.length} cgroup directories\t${record.dir}`);
    }
  } else if (command === 'down') {
    for (const record of listPoolRecords(workDir)) {
      const left = await releasePoolRecord(workDir, record);
      console.log(`${record.groupId}: ${left.length === 0 ? 'released' : `left ${left.join('; ')}`}`);
    }
  } else {
    console.log('usage: provision/pools/group-pools.ts status | down');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: Error) => { console.error(`error: ${error.message}`); process.exitCode = 1; });
}
