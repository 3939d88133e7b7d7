import { createCipheriv, createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What the images carry for the workloads beyond their own tools (see
 * pipeline/run/workloads/): the files are made here, the workloads rely on the paths.
 *
 * - `/data/large.bin`: 64 MiB of deterministic pseudo-random bytes (AES-128-CTR keystream
 *   of a fixed key), which neither compress nor deduplicate, for the copy-up workload.
 *   Generated while building, never stored in git.
 * - `/task/<task>/`: the grading tasks of the repository's `workloads/` folder (student
 *   submission and teacher's tests). INGInious mounts the task folder into the container;
 *   here it is baked into the image, so every runtime sees the same files without a mount.
 */
export const LARGE_FILE = {
  path: '/data/large.bin',
  bytes: 64 * 1024 * 1024,
  /** Bump when the generator changes, so the image cache keys change too. */
  version: 'aes-128-ctr-1',
} as const;

export const TASK_DIR = '/task';

/** The repository's grading tasks, one folder per task. */
export const TASKS_SOURCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workloads');

const LARGE_FILE_KEY = createHash('sha256').update(`crbench ${LARGE_FILE.path} ${LARGE_FILE.version}`).digest().subarray(0, 16);
const AES_BLOCK_BYTES = 16;

/** `length` bytes of /data/large.bin from `offset` (a multiple of 16), without making the file. */
export function largeFileBytes(offset: number, length: number): Buffer {
  if (offset % AES_BLOCK_BYTES !== 0) throw new Error(`largeFileBytes: offset ${offset} is not a multiple of ${AES_BLOCK_BYTES}`);
  const counter = Buffer.alloc(AES_BLOCK_BYTES);
  counter.writeBigUInt64BE(BigInt(offset / AES_BLOCK_BYTES), 8);
  const cipher = createCipheriv('aes-128-ctr', LARGE_FILE_KEY, counter);
  return cipher.update(Buffer.alloc(length));
}

/** Writes /data/large.bin below `rootfs`, 1 MiB at a time. */
export function writeLargeFile(rootfs: string): void {
  const file = path.join(rootfs, LARGE_FILE.path);
  mkdirSync(path.dirname(file), { recursive: true });
  chmodSync(path.dirname(file), 0o755);
  const chunkBytes = 1024 * 1024;
  const fd = openSync(file, 'w', 0o644);
  try {
    for (let offset = 0; offset < LARGE_FILE.bytes; offset += chunkBytes) writeSync(fd, largeFileBytes(offset, chunkBytes));
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o644);
}

/**
 * Every file of every task (a folder of the tasks folder; loose files there, such as its
 * README, are not tasks), relative and sorted, so that hashing and copying are stable.
 */
function taskFiles(sourceDir: string): string[] {
  return readdirSync(sourceDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(sourceDir, path.join(entry.parentPath, entry.name)))
    .filter((relative) => relative.includes(path.sep))
    .sort();
}

/**
 * Copies the tasks to /task below `rootfs`, with fixed modes (0755 folders, 0644 files:
 * the entry points run as `sh run`), so the checkout's umask does not leak into the image.
 */
export function copyTasks(rootfs: string, sourceDir = TASKS_SOURCE_DIR): void {
  const target = path.join(rootfs, TASK_DIR);
  mkdirSync(target, { recursive: true });
  chmodSync(target, 0o755);
  for (const relative of taskFiles(sourceDir)) {
    const destination = path.join(target, relative);
    for (let dir = path.dirname(destination); dir.length >= target.length; dir = path.dirname(dir)) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
    }
    copyFileSync(path.join(sourceDir, relative), destination);
    chmodSync(destination, 0o644);
  }
}

/** A hash of the tasks' paths and contents, for an image's cache key. */
export function tasksHash(sourceDir = TASKS_SOURCE_DIR): string {
  const hash = createHash('sha256');
  for (const relative of taskFiles(sourceDir)) {
    hash.update(`${relative}\n`).update(createHash('sha256').update(readFileSync(path.join(sourceDir, relative))).digest('hex'));
  }
  return hash.digest('hex');
}
