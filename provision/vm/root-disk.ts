import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { CrbenchError } from '../../pipeline/errors.ts';
import { cacheKeyOf, removeScratchRoot, sha256OfFile } from '../images/cache-tarball.ts';
import type { BuiltImage } from '../images/image-recipe.ts';
import { runStep } from '../run-step.ts';

/**
 * An image's root filesystem as a read-only squashfs disk, the microVM's copy-on-write root:
 * every VM of a group reads the same cached file (QEMU opens it `readonly=on`), and the guest
 * puts a tmpfs under overlayfs above it (see guest-agent.ts), so a VM's create copies nothing.
 *
 * Why squashfs: Debian's guest kernel has squashfs, erofs and ext4 as modules, but squashfs
 * needs no other module (erofs needs libcrc32c and, at mount, a crc32c driver; ext4 needs jbd2,
 * mbcache and crc16), and mksquashfs is on the host (erofs-utils is not, and the host gets no
 * new packages for the guest). Uncompressed by default: under TCG every decompression is
 * emulated, and the host's page cache serves the disk's blocks anyway. The grader image, 5 boots
 * each (2026-12-02): grade-python's first run (cold guest page cache) took 2.27 s uncompressed
 * (351 MiB), 2.48 s lz4 (213 MiB), 2.57 s zstd (158 MiB), 2.57 s gzip (168 MiB); boots did not
 * differ beyond noise. One file serves every VM, so its size matters little. mksquashfs builds
 * reproducibly (its default since 4.4): sorted entries, the files' own mtimes, `-mkfs-time 0`.
 */

export const ROOT_DISK_RECIPE_VERSION = 'root-disk-1';
export const ROOT_DISK_FS = 'squashfs';

export type RootDiskCompression = 'none' | 'lz4' | 'zstd' | 'gzip' | 'xz';

export interface BuiltRootDisk {
  path: string;
  fsType: typeof ROOT_DISK_FS;
  compression: RootDiskCompression;
  sha256: string;
  bytes: number;
  key: string;
  fromCache: boolean;
  buildMs: number;
}

export function mksquashfsArgs(source: string, target: string, compression: RootDiskCompression): string[] {
  const compress = compression === 'none' ? ['-noI', '-noD', '-noF', '-noX'] : ['-comp', compression];
  return [source, target, '-noappend', '-no-xattrs', '-mkfs-time', '0', '-quiet', '-no-progress', ...compress];
}

async function mksquashfsVersion(): Promise<string> {
  const asked = await $`mksquashfs -version`.nothrow();
  if (asked.exitCode !== 0) throw new CrbenchError('MISSING_BINARY', 'a microVM disk root needs mksquashfs: apt-get install squashfs-tools');
  return asked.stdout.split('\n')[0]?.trim() ?? 'unknown';
}

/** The image as a squashfs file in the image cache, built from its tarball unless cached. */
export async function buildRootDisk(options: { image: BuiltImage; cacheDir: string; scratchDir: string; compression?: RootDiskCompression }): Promise<BuiltRootDisk> {
  const compression = options.compression ?? 'none';
  const key = cacheKeyOf([ROOT_DISK_RECIPE_VERSION, options.image.tarballSha256, await mksquashfsVersion(), compression]);
  const target = path.join(options.cacheDir, `rootdisk-${options.image.name}-${key}.squashfs`);
  const fromCache = existsSync(target);
  let buildMs = 0;
  if (!fromCache) {
    const startMs = performance.now();
    const rootfs = path.join(options.scratchDir, `rootdisk-${options.image.name}-${key}`);
    const partial = `${target}.partial`;
    await removeScratchRoot(rootfs);
    mkdirSync(rootfs, { recursive: true });
    mkdirSync(options.cacheDir, { recursive: true });
    try {
      await runStep(`unpacking the ${options.image.name} image`, $`tar -xpf ${options.image.tarballPath} --numeric-owner -C ${rootfs}`);
      await runStep(`mksquashfs of the ${options.image.name} image`, $`mksquashfs ${mksquashfsArgs(rootfs, partial, compression)}`);
      renameSync(partial, target);
    } finally {
      rmSync(partial, { force: true });
      await removeScratchRoot(rootfs);
    }
    buildMs = Math.round(performance.now() - startMs);
  }
  return { path: target, fsType: ROOT_DISK_FS, compression, sha256: await sha256OfFile(target), bytes: statSync(target).size, key, fromCache, buildMs };
}
