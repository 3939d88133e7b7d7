#!/usr/bin/env -S node --import tsx
/**
 * A volume: sparse image file → loop device → filesystem → mount, all below the work
 * directory. Runs on its own too:
 *   provision/volume.ts up <name> <filesystem> [sizeMiB]   provision/volume.ts down <name>
 *   provision/volume.ts status
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../pipeline/errors.ts';
import { $ } from 'zx';
import { FILESYSTEMS } from './filesystems/index.ts';
import { attachLoop, backingFileOf, createImageFile, detachLoop } from './loop-device.ts';
import { findMount } from './mounts.ts';
import { runStep } from './run-step.ts';
import { ensureWorkDir, resolveWorkDir, workPaths } from './work-dir.ts';

export interface Volume {
  name: string;
  filesystem: string;
  imagePath: string;
  device: string;
  mountpoint: string;
  poolName: string;
  sizeMiB: number;
  /** The format command as run and the mount options the kernel reports. */
  formatArgv: string[];
  mountOptions: string[];
}

// `+` joins an engine and its OCI runtime in a group id (docker+crun.overlay2.ext4).
const VOLUME_NAME = /^[a-z0-9][a-z0-9.+-]{0,100}$/;

function recordPath(workDir: string, name: string): string {
  return path.join(workPaths(workDir).volumes, `${name}.json`);
}

/**
 * Provisions a fresh volume. If a step fails, the steps already done are undone before
 * the error is thrown, so a failed provisioning leaves nothing behind.
 */
export async function provisionVolume(workDir: string, name: string, filesystem: string, sizeMiB: number): Promise<Volume> {
  if (!VOLUME_NAME.test(name)) {
    throw new CrbenchError('BAD_VOLUME_NAME', `volume name '${name}' must match ${VOLUME_NAME}`, { exitCode: 2 });
  }
  const fs = FILESYSTEMS[filesystem];
  if (fs === undefined) {
    throw new CrbenchError('UNKNOWN_FILESYSTEM',
      `unknown filesystem '${filesystem}'; expected one of: ${Object.keys(FILESYSTEMS).join(', ')}`, { exitCode: 2 });
  }
  const paths = workPaths(ensureWorkDir(workDir));
  if (existsSync(recordPath(workDir, name))) {
    throw new CrbenchError('VOLUME_EXISTS', `volume ${name} already exists; run 'crbench teardown' first`);
  }
  mkdirSync(paths.volumes, { recursive: true });
  const imagePath = path.join(paths.volumes, `${name}.img`);
  const mountpoint = path.join(paths.mounts, name);
  const poolName = `crbench-${name}`;
  const volume: Volume = { name, filesystem, imagePath, device: '', mountpoint, poolName, sizeMiB, formatArgv: [], mountOptions: [] };
  // The record is written before anything exists, so teardown finds even a half-made volume.
  writeFileSync(recordPath(workDir, name), JSON.stringify(volume, null, 2));
  try {
    await createImageFile(workDir, imagePath, sizeMiB);
    volume.device = (await attachLoop(workDir, imagePath)).device;
    writeFileSync(recordPath(workDir, name), JSON.stringify(volume, null, 2));
    mkdirSync(mountpoint, { recursive: true });
    volume.formatArgv = fs.formatArgv(volume.device, poolName, mountpoint);
    await fs.create(volume.device, poolName, mountpoint, { workDir, name, poolName, mountpoint });
    // Shared, so that what a storage driver mounts on the volume (an overlay root) also
    // appears in a runtime's own mount namespace (crun's, see runtime-state.ts).
    await runStep(`sharing the mount ${mountpoint}`, $`mount --make-shared ${mountpoint}`);
    volume.mountOptions = findMount(mountpoint)?.options ?? [];
    writeFileSync(recordPath(workDir, name), JSON.stringify(volume, null, 2));
    return volume;
  } catch (error) {
    await releaseVolume(workDir, volume).catch(() => undefined);
    throw error;
  }
}

/** Undoes a volume step by step; each step is skipped when already undone, so it is idempotent. */
export async function releaseVolume(workDir: string, volume: Volume): Promise<void> {
  const fs = FILESYSTEMS[volume.filesystem];
  const made = { workDir, name: volume.name, poolName: volume.poolName, mountpoint: volume.mountpoint };
  if (fs !== undefined && findMount(volume.mountpoint) !== undefined) {
    await fs.destroy(volume.mountpoint, volume.poolName, made);
  }
  await fs?.release?.(made);
  if (volume.device !== '' && backingFileOf(volume.device) === volume.imagePath) {
    await detachLoop(workDir, volume.device);
  }
  rmSync(volume.mountpoint, { recursive: true, force: true });
  rmSync(volume.imagePath, { force: true });
  rmSync(recordPath(workDir, volume.name), { force: true });
}

export function listVolumes(workDir: string): Volume[] {
  const dir = workPaths(workDir).volumes;
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((file) => file.endsWith('.json')).sort()
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Volume);
}

async function main(argv: string[]): Promise<void> {
  const workDir = resolveWorkDir();
  const [command, name, filesystem, size] = argv;
  if (command === 'up' && name !== undefined && filesystem !== undefined) {
    const volume = await provisionVolume(workDir, name, filesystem, Number(size ?? 1024));
    console.log(`${volume.name}: ${volume.filesystem} on ${volume.device}, mounted at ${volume.mountpoint}`);
  } else if (command === 'down' && name !== undefined) {
    const volume = listVolumes(workDir).find((candidate) => candidate.name === name);
    if (volume === undefined) throw new CrbenchError('NO_SUCH_VOLUME', `no volume named ${name}`);
    await releaseVolume(workDir, volume);
  } else if (command === 'status') {
    for (const volume of listVolumes(workDir)) {
      const mounted = findMount(volume.mountpoint) !== undefined ? 'mounted' : 'not mounted';
      console.log(`${volume.name}\t${volume.filesystem}\t${volume.device || '-'}\t${mounted}\t${volume.mountpoint}`);
    }
  } else {
    console.log(`usage: provision/volume.ts up <name> <${Object.keys(FILESYSTEMS).join('|')}> [sizeMiB] | down <name> | status`);
    process.exitCode = command === '--help' || command === '-h' ? 0 : 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  });
}
