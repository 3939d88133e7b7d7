import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { readMounts } from '../mounts.ts';
import { runStep } from '../run-step.ts';
import type { BuiltImage } from './image-recipe.ts';
import { readTarballContents } from './tarball-contents.ts';

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A short, stable cache key: the sha256 of the parts, each length-prefixed so no two lists collide. */
export function cacheKeyOf(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${Buffer.byteLength(part)}:${part}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * How a root filesystem is packed. The default flattens every mtime to 0 and every owner to
 * root, which suits an image made of files the recipe wrote itself. A distribution root
 * keeps its owners (setgid tools, groups such as `shadow`) and its package files' mtimes:
 * Python's .pyc files record their source's mtime, and a flattened one would make every
 * container recompile the standard library. `clampMtime` only moves files newer than
 * `sourceDateEpoch` (those written while building) back to it.
 */
export interface PackOptions {
  sourceDateEpoch: number;
  clampMtime: boolean;
  keepOwners: boolean;
}

const FLAT: PackOptions = { sourceDateEpoch: 0, clampMtime: false, keepOwners: false };

export function tarArgs(rootfs: string, tarball: string, pack: PackOptions): string[] {
  return [
    '--sort=name', '--format=gnu', `--mtime=@${pack.sourceDateEpoch}`, ...(pack.clampMtime ? ['--clamp-mtime'] : []),
    ...(pack.keepOwners ? [] : ['--owner=0', '--group=0']), '--numeric-owner',
    '-cf', tarball, '-C', rootfs, '.',
  ];
}

/**
 * Removes a scratch root filesystem. A build (debootstrap) mounts /proc and /sys in it, and
 * may bind the host's /dev: anything still mounted below it is unmounted first (deepest
 * first), and `rm --one-file-system` never crosses into a mount that is left.
 */
export async function removeScratchRoot(rootfs: string): Promise<void> {
  if (!existsSync(rootfs)) return;
  const prefix = `${path.resolve(rootfs)}/`;
  const mounted = readMounts().map((entry) => entry.mountpoint).filter((mountpoint) => mountpoint.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
  for (const mountpoint of mounted) await $`umount ${mountpoint}`.nothrow();
  for (const mountpoint of mounted.filter((candidate) => readMounts().some((entry) => entry.mountpoint === candidate))) {
    await $`umount -l ${mountpoint}`.nothrow();
  }
  await runStep(`removing ${rootfs}`, $`rm -rf --one-file-system ${rootfs}`);
}

/**
 * Returns the cached tarball for `key`, or builds the root filesystem with `populate` and
 * packs it reproducibly (sorted names, fixed or clamped mtimes, numeric owners; see
 * PackOptions, which `populate` may return), so equal inputs give equal bytes as far as the
 * build tools allow. The tarball is renamed into place only when complete; deleting it
 * forces a rebuild.
 */
export async function cachedTarball(options: {
  name: string; key: string; cacheDir: string; scratchDir: string;
  populate: (rootfs: string) => Promise<PackOptions | void>;
}): Promise<BuiltImage> {
  const tarballPath = path.join(options.cacheDir, `${options.name}-${options.key}.tar`);
  const fromCache = existsSync(tarballPath);
  if (!fromCache) {
    const rootfs = path.join(options.scratchDir, `${options.name}-rootfs`);
    await removeScratchRoot(rootfs);
    mkdirSync(rootfs, { recursive: true });
    chmodSync(rootfs, 0o755);
    mkdirSync(options.cacheDir, { recursive: true });
    const partial = `${tarballPath}.partial`;
    try {
      const pack = (await options.populate(rootfs)) ?? FLAT;
      await runStep(`packing the ${options.name} image`, $`tar ${tarArgs(rootfs, partial, pack)}`);
      renameSync(partial, tarballPath);
    } finally {
      rmSync(partial, { force: true });
      await removeScratchRoot(rootfs);
    }
  }
  return {
    name: options.name,
    tarballPath,
    tarballSha256: await sha256OfFile(tarballPath),
    tarballBytes: statSync(tarballPath).size,
    fromCache,
    contents: readTarballContents(tarballPath),
  };
}
