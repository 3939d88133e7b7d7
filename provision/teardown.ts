#!/usr/bin/env -S node --import tsx
/**
 * Removes everything the pipeline provisioned below the work directory, in the reverse
 * order of creation: containers → pools (namespaces, cgroups) → daemons → volumes (zpools, mounts) → stray mounts → loop
 * devices → files. Idempotent, and safe after a crash: it works from the records on disk and from
 * what the kernel reports, not from the memory of a process that may be dead.
 * Runs on its own too: provision/teardown.ts [--purge-cache]
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { removeCgroupTree } from './cgroups.ts';
import { listDaemons, stopDaemon } from './daemons/daemon.ts';
import { listPoolRecords, releasePoolRecord } from './pools/group-pools.ts';
import { detachLoop, listOwnLoopDevices } from './loop-device.ts';
import { readMounts } from './mounts.ts';
import { listRuntimeStates, releaseRuntimeState } from './runtime-state.ts';
import { listVolumes, releaseVolume } from './volume.ts';
import { isUnderWorkDir, resolveWorkDir, workPaths } from './work-dir.ts';

export interface TeardownReport {
  containerStates: number;
  daemons: number;
  volumes: number;
  strayMounts: number;
  strayLoopDevices: number;
  /** Groups whose pre-made namespaces and cgroups were removed (provision/pools/). */
  pools: number;
}

export async function teardownWorkDir(workDir: string, options: { purgeCache?: boolean } = {}): Promise<TeardownReport> {
  const report: TeardownReport = { containerStates: 0, daemons: 0, volumes: 0, strayMounts: 0, strayLoopDevices: 0, pools: 0 };
  if (!existsSync(workDir)) return report;
  for (const state of listRuntimeStates(workDir)) {
    await releaseRuntimeState(workDir, state);
    report.containerStates += 1;
  }
  // Once no container holds them: a pool's namespaces, its shared directory and its cgroups.
  for (const record of listPoolRecords(workDir)) {
    await releasePoolRecord(workDir, record);
    report.pools += 1;
  }
  for (const daemon of listDaemons(workDir)) {
    await stopDaemon(workDir, daemon);
    report.daemons += 1;
  }
  for (const volume of listVolumes(workDir)) {
    await releaseVolume(workDir, volume);
    report.volumes += 1;
  }
  // Whatever is still mounted below the work directory (deepest first) has no record left.
  const stray = readMounts().filter((entry) => isUnderWorkDir(workDir, entry.mountpoint))
    .sort((a, b) => b.mountpoint.length - a.mountpoint.length);
  for (const entry of stray) {
    await $`umount ${entry.mountpoint}`.nothrow();
    report.strayMounts += 1;
  }
  for (const loop of listOwnLoopDevices(workDir)) {
    await detachLoop(workDir, loop.device);
    report.strayLoopDevices += 1;
  }
  removeCgroupTree(workDir);
  const paths = workPaths(workDir);
  for (const dir of [paths.volumes, paths.mounts, paths.namespaces, paths.scratch, path.join(workDir, 'runtime-state'), path.join(workDir, 'daemons'), paths.pools]) {
    rmSync(dir, { recursive: true, force: true });
  }
  if (options.purgeCache === true) rmSync(paths.cache, { recursive: true, force: true });
  return report;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  teardownWorkDir(resolveWorkDir(), { purgeCache: process.argv.includes('--purge-cache') })
    .then((report) => console.log(`teardown: ${JSON.stringify(report)}`))
    .catch((error: Error) => { console.error(`error: ${error.message}`); process.exitCode = 1; });
}
