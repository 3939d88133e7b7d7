import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { CrbenchError } from '../../pipeline/errors.ts';
import { cacheKeyOf, cachedTarball, sha256OfFile } from './cache-tarball.ts';
import type { ImageRecipe } from './image-recipe.ts';

/** Bump when the recipe changes what it puts in the image, so the cache key changes too. */
export const RECIPE_VERSION = 'tiny-3';

/** The host's static busybox, which the tiny image is made of and the grader image carries too. */
export async function findBusybox(image = 'tiny'): Promise<string> {
  const found = await $`command -v busybox`.nothrow();
  const binary = found.stdout.trim();
  if (found.exitCode !== 0 || binary === '') {
    throw new CrbenchError('MISSING_BINARY', `the ${image} image needs busybox: apt-get install busybox-static`);
  }
  return binary;
}

/** The tiny image's cache key: changes with the recipe or the busybox binary. */
export function tinyKey(inputs: { busyboxSha256: string; recipeVersion?: string }): string {
  return cacheKeyOf([inputs.recipeVersion ?? RECIPE_VERSION, inputs.busyboxSha256]);
}

/**
 * A busybox root filesystem of about 2 MB: one static binary and a symlink per applet. It
 * stays tiny on purpose, as one end of the image-size axis; the copy-up workload's large
 * file and the grading tasks live in the grader image.
 */
export const tiny: ImageRecipe = {
  name: 'tiny',
  requiredBinaries: ['busybox'],
  async build(cacheDir, scratchDir) {
    const busybox = await findBusybox();
    const key = tinyKey({ busyboxSha256: await sha256OfFile(busybox) });
    return cachedTarball({
      name: 'tiny', key, cacheDir, scratchDir,
      async populate(rootfs) {
        // Modes set explicitly: the builder's umask must not reach the image.
        chmodSync(rootfs, 0o755);
        for (const dir of ['bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'root']) {
          mkdirSync(path.join(rootfs, dir));
          chmodSync(path.join(rootfs, dir), dir === 'tmp' ? 0o1777 : 0o755);
        }
        copyFileSync(busybox, path.join(rootfs, 'bin/busybox'));
        chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
        const applets = (await $`${busybox} --list`).stdout.split('\n').filter((name) => /^[\w.[-]+$/.test(name));
        // The list names busybox itself; linking it would replace the binary with a loop.
        for (const applet of applets.filter((name) => name !== 'busybox')) {
          symlinkSync('busybox', path.join(rootfs, 'bin', applet));
        }
        writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
        writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
        for (const file of ['etc/passwd', 'etc/group']) chmodSync(path.join(rootfs, file), 0o644);
      },
    });
  },
};
