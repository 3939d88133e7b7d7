#!/usr/bin/env -S node --import tsx
/**
 * A microVM's root filesystem from an image tarball, in a process of its own: what the
 * qemu-microvm adapter's import step runs (the executor spawns and times it, as every other
 * runtime's import), so that building the guest's kernel, initramfs or disk stays in
 * provision/ and out of the run stage.
 *
 *   provision/vm/prepare-guest-root.ts <image> <tarball> <initramfs|disk> <cacheDir> <scratchDir> <out.json>
 *
 * Writes out.json: { kernel (the facts the manifest records), initramfsPath, rootDiskPath? }.
 * Everything is cached by content hash, so a second group's import only checks the cache.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256OfFile } from '../images/cache-tarball.ts';
import type { BuiltImage } from '../images/image-recipe.ts';
import { provisionGuestKernel, type GuestKernel } from './guest-kernel.ts';
import { buildBootInitramfs, buildImageInitramfs, copyRootInfeasibility } from './initramfs.ts';
import { buildRootDisk, ROOT_DISK_FS } from './root-disk.ts';

/** What the adapter reads back: the files QEMU boots, and the kernel's facts for the manifest. */
export interface GuestRoot {
  kernel: Pick<GuestKernel, 'package' | 'packageVersion' | 'release' | 'entry' | 'bootPath' | 'vmlinuxSha256' | 'drivers'>;
  initramfsPath: string;
  rootDiskPath?: string;
  /** The guest's RAM the root takes (initramfs: the whole image in RAM). */
  rootBytes: number;
}

export const GUEST_MEMORY_MIB = 256;

export async function prepareGuestRoot(options: { image: string; tarballPath: string; strategy: 'initramfs' | 'disk'; cacheDir: string; scratchDir: string }): Promise<GuestRoot> {
  mkdirSync(options.cacheDir, { recursive: true });
  mkdirSync(options.scratchDir, { recursive: true });
  const kernel = await provisionGuestKernel({ cacheDir: options.cacheDir, scratchDir: options.scratchDir });
  const image: BuiltImage = {
    name: options.image, tarballPath: options.tarballPath, tarballSha256: await sha256OfFile(options.tarballPath),
    tarballBytes: statSync(options.tarballPath).size, fromCache: true,
  };
  const facts = { package: kernel.package, packageVersion: kernel.packageVersion, release: kernel.release, entry: kernel.entry, bootPath: kernel.bootPath, vmlinuxSha256: kernel.vmlinuxSha256, drivers: kernel.drivers };
  if (options.strategy === 'initramfs') {
    const refusal = copyRootInfeasibility(image.tarballBytes, GUEST_MEMORY_MIB);
    if (refusal !== null) throw new Error(refusal);
    const archive = await buildImageInitramfs({ image, kernel, cacheDir: options.cacheDir, scratchDir: options.scratchDir });
    return { kernel: facts, initramfsPath: archive.path, rootBytes: archive.bytes };
  }
  const boot = await buildBootInitramfs({ kernel, cacheDir: options.cacheDir, diskFsType: ROOT_DISK_FS });
  const disk = await buildRootDisk({ image, cacheDir: options.cacheDir, scratchDir: options.scratchDir });
  return { kernel: facts, initramfsPath: boot.path, rootDiskPath: disk.path, rootBytes: boot.bytes };
}

async function main(argv: string[]): Promise<void> {
  const [image, tarballPath, strategy, cacheDir, scratchDir, out] = argv;
  if (image === undefined || tarballPath === undefined || (strategy !== 'initramfs' && strategy !== 'disk') || cacheDir === undefined || scratchDir === undefined || out === undefined) {
    console.error('usage: provision/vm/prepare-guest-root.ts <image> <tarball> <initramfs|disk> <cacheDir> <scratchDir> <out.json>');
    process.exitCode = 2;
    return;
  }
  const scratch = path.join(scratchDir, `guest-root-${process.pid}`);
  try {
    const root = await prepareGuestRoot({ image, tarballPath, strategy, cacheDir, scratchDir: scratch });
    writeFileSync(out, `${JSON.stringify(root, null, 2)}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  });
}
