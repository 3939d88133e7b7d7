import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { $ } from 'zx';
import { CrbenchError } from '../pipeline/errors.ts';
import { runStep } from './run-step.ts';
import { assertUnderWorkDir, isUnderWorkDir } from './work-dir.ts';

/** A loop device and the image file behind it. */
export interface LoopDevice {
  device: string;
  backingFile: string;
}

/** Creates a sparse image file: it takes disk space only as the filesystem fills it. */
export async function createImageFile(workDir: string, imagePath: string, sizeMiB: number): Promise<void> {
  assertUnderWorkDir(workDir, imagePath, 'create an image file at');
  await runStep(`creating the sparse image ${imagePath}`, $`truncate -s ${`${sizeMiB}M`} ${imagePath}`);
}

export async function attachLoop(workDir: string, imagePath: string): Promise<LoopDevice> {
  assertUnderWorkDir(workDir, imagePath, 'attach a loop device to');
  const device = (await runStep(`attaching ${imagePath} to a loop device`,
    $`losetup --find --show ${imagePath}`)).trim();
  return { device, backingFile: imagePath };
}

/** The file behind a loop device, or null when the device is not attached. */
export function backingFileOf(device: string): string | null {
  const name = device.replace(/^\/dev\//, '');
  try {
    return readFileSync(`/sys/block/${name}/loop/backing_file`, 'utf8').trim().replace(/ \(deleted\)$/, '');
  } catch {
    return null;
  }
}

/**
 * Refuses any device that is not a loop device backed by a file below the work directory:
 * the one check standing between a typo and a formatted disk.
 */
export function assertOwnLoopDevice(workDir: string, device: string): void {
  if (!/^\/dev\/loop\d+$/.test(device)) {
    throw new CrbenchError('NOT_OWN_DEVICE', `refusing to touch ${device}: crbench only uses loop devices it attached`);
  }
  const backing = backingFileOf(device);
  if (backing === null || !isUnderWorkDir(realpathSync(workDir), backing)) {
    throw new CrbenchError('NOT_OWN_DEVICE',
      `refusing to touch ${device}: it is backed by ${backing ?? 'nothing'}, not by an image file below ${workDir}`);
  }
}

export async function detachLoop(workDir: string, device: string): Promise<void> {
  assertOwnLoopDevice(workDir, device);
  await runStep(`detaching ${device}`, $`losetup --detach ${device}`);
}

/** Every attached loop device whose image file lies below the work directory. */
export function listOwnLoopDevices(workDir: string): LoopDevice[] {
  const root = realpathSync(workDir);
  return readdirSync('/sys/block')
    .filter((name) => name.startsWith('loop'))
    .map((name) => ({ device: `/dev/${name}`, backingFile: backingFileOf(`/dev/${name}`) }))
    .filter((loop): loop is LoopDevice => loop.backingFile !== null && isUnderWorkDir(root, loop.backingFile));
}
