import { createCipheriv, createHash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { runStep } from '../run-step.ts';
import { cacheKeyOf, cachedTarball } from './cache-tarball.ts';
import type { ImageRecipe } from './image-recipe.ts';
import { tiny } from './tiny.ts';

/**
 * Images of known sizes for the image-size axis (the thesis's claim that a deep copy "gets
 * terribly slow as the file system size increases"): the tiny image plus `/pad`, padding files
 * whose sizes go 8, 24, 64 and 160 KiB in turn (a mean of 64 KiB), 256 to a folder, until the
 * padding holds exactly the image's nominal size. Bytes and file count grow together, as they
 * do between real images (the grader image: 6,438 files of 57 KiB on average, 45 KiB without its
 * 64 MiB /data/large.bin).
 *
 * ```
 * tiny-KEY.tar  → tar -x                                          ┐ sized-1g-KEY.tar
 *               → /pad/000/00000 … /pad/063/16383 (1 GiB)         │ (cached by the hash of
 *               → pack: names sorted, mtimes 0, owners root       ┘  tiny, size and layout)
 * ```
 *
 * The contents are an AES-128-CTR keystream of a fixed key: they neither compress nor
 * deduplicate (no filesystem here could share them), and the same recipe gives the same
 * bytes on every host, offline.
 */

/** Bump when the padding's layout or contents change, so the cache keys change too. */
export const SIZED_RECIPE_VERSION = 'sized-1';
/** The padding files' sizes, in turn. */
export const PADDING_FILE_KIB: readonly number[] = [8, 24, 64, 160];
/** Padding files per folder of /pad. */
export const FILES_PER_DIR = 256;

const MIB = 1024 * 1024;

/** Every sized image: its name and the bytes of padding it adds to tiny. */
export const SIZED_IMAGE_BYTES: Readonly<Record<string, number>> = {
  'sized-64m': 64 * MIB,
  'sized-256m': 256 * MIB,
  'sized-1g': 1024 * MIB,
};

/** One padding file: where below the root, how many bytes, where its bytes start in the keystream. */
export interface PaddingFile {
  path: string;
  bytes: number;
  streamOffset: number;
}

/** The padding files of `bytes` of padding, in order; the last one takes what is left. */
export function paddingLayout(bytes: number): PaddingFile[] {
  const files: PaddingFile[] = [];
  for (let offset = 0, index = 0; offset < bytes; index += 1) {
    const size = Math.min((PADDING_FILE_KIB[index % PADDING_FILE_KIB.length] ?? 64) * 1024, bytes - offset);
    const dir = String(Math.floor(index / FILES_PER_DIR)).padStart(3, '0');
    files.push({ path: path.posix.join('/pad', dir, String(index).padStart(5, '0')), bytes: size, streamOffset: offset });
    offset += size;
  }
  return files;
}

const PAD_KEY = createHash('sha256').update(`crbench /pad ${SIZED_RECIPE_VERSION}`).digest().subarray(0, 16);

/** `length` bytes of the padding keystream from `offset` (a multiple of 16: every file size is). */
export function paddingBytes(offset: number, length: number): Buffer {
  if (offset % 16 !== 0) throw new Error(`paddingBytes: offset ${offset} is not a multiple of 16`);
  const counter = Buffer.alloc(16);
  counter.writeBigUInt64BE(BigInt(offset / 16), 8);
  return createCipheriv('aes-128-ctr', PAD_KEY, counter).update(Buffer.alloc(length));
}

/** Writes the padding below `rootfs`, with fixed modes (0755 folders, 0644 files). */
export function writePadding(rootfs: string, bytes: number): void {
  const made = new Set<string>();
  for (const file of paddingLayout(bytes)) {
    const full = path.join(rootfs, file.path);
    for (const dir of [path.dirname(path.dirname(full)), path.dirname(full)]) {
      if (made.has(dir)) continue;
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
      made.add(dir);
    }
    const fd = openSync(full, 'w', 0o644);
    try {
      writeSync(fd, paddingBytes(file.streamOffset, file.bytes));
    } finally {
      closeSync(fd);
    }
    chmodSync(full, 0o644);
  }
}

/** A sized image's cache key: the tiny image it grows from (its tarball's hash), its size and the layout. */
export function sizedKey(inputs: { tinySha256: string; bytes: number; recipeVersion?: string }): string {
  return cacheKeyOf([inputs.recipeVersion ?? SIZED_RECIPE_VERSION, inputs.tinySha256, String(inputs.bytes), PADDING_FILE_KIB.join(','), String(FILES_PER_DIR)]);
}

/** The recipe of one sized image: tiny, unpacked, plus `bytes` of padding. */
export function sizedImage(name: string, bytes: number): ImageRecipe {
  return {
    name,
    requiredBinaries: ['busybox', 'tar'],
    async build(cacheDir, scratchDir) {
      const base = await tiny.build(cacheDir, scratchDir);
      return cachedTarball({
        name, key: sizedKey({ tinySha256: base.tarballSha256, bytes }), cacheDir, scratchDir,
        async populate(rootfs) {
          await runStep(`unpacking the tiny image for ${name}`, $`tar -xf ${base.tarballPath} -C ${rootfs}`);
          writePadding(rootfs, bytes);
        },
      });
    },
  };
}

/** Every sized recipe, by name. */
export const SIZED_IMAGES: Readonly<Record<string, ImageRecipe>> = Object.fromEntries(
  Object.entries(SIZED_IMAGE_BYTES).map(([name, bytes]) => [name, sizedImage(name, bytes)]),
);
