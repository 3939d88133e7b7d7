import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { runStep } from '../run-step.ts';
import type { BuiltImage } from './image-recipe.ts';

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Returns the cached tarball for `key`, or builds the root filesystem with `populate` and
 * packs it reproducibly (sorted names, fixed mtime and owners), so equal inputs give equal
 * bytes. The tarball is renamed into place only when complete.
 */
export async function cachedTarball(options: {
  name: string; key: string; cacheDir: string; scratchDir: string;
  populate: (rootfs: string) => Promise<void>;
}): Promise<BuiltImage> {
  const tarballPath = path.join(options.cacheDir, `${options.name}-${options.key}.tar`);
  const fromCache = existsSync(tarballPath);
  if (!fromCache) {
    const rootfs = path.join(options.scratchDir, `${options.name}-rootfs`);
    rmSync(rootfs, { recursive: true, force: true });
    mkdirSync(rootfs, { recursive: true });
    mkdirSync(options.cacheDir, { recursive: true });
    try {
      await options.populate(rootfs);
      const partial = `${tarballPath}.partial`;
      await runStep(`packing the ${options.name} image`, $`tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf ${partial} -C ${rootfs} .`);
      renameSync(partial, tarballPath);
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  }
  return {
    name: options.name,
    tarballPath,
    tarballSha256: await sha256OfFile(tarballPath),
    tarballBytes: statSync(tarballPath).size,
    fromCache,
  };
}
