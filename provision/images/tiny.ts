import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { CrbenchError } from '../../pipeline/errors.ts';
import { cachedTarball } from './cache-tarball.ts';
import type { ImageRecipe } from './image-recipe.ts';

/** Bump when the recipe changes what it puts in the image, so the cache key changes too. */
const RECIPE_VERSION = 'tiny-1';

async function findBusybox(): Promise<string> {
  const found = await $`command -v busybox`.nothrow();
  const binary = found.stdout.trim();
  if (found.exitCode !== 0 || binary === '') {
    throw new CrbenchError('MISSING_BINARY', "the tiny image needs busybox: apt-get install busybox-static");
  }
  return binary;
}

/** A busybox root filesystem: one static binary and a symlink per applet. */
export const tiny: ImageRecipe = {
  name: 'tiny',
  requiredBinaries: ['busybox'],
  async build(cacheDir, scratchDir) {
    const busybox = await findBusybox();
    const key = createHash('sha256').update(RECIPE_VERSION).update(readFileSync(busybox)).digest('hex').slice(0, 16);
    return cachedTarball({
      name: 'tiny', key, cacheDir, scratchDir,
      async populate(rootfs) {
        for (const dir of ['bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'root']) mkdirSync(path.join(rootfs, dir));
        copyFileSync(busybox, path.join(rootfs, 'bin/busybox'));
        const applets = (await $`${busybox} --list`).stdout.split('\n').filter((name) => /^[\w.[-]+$/.test(name));
        // The list names busybox itself; linking it would replace the binary with a loop.
        for (const applet of applets.filter((name) => name !== 'busybox')) {
          symlinkSync('busybox', path.join(rootfs, 'bin', applet));
        }
        writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
        writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
      },
    });
  },
};
