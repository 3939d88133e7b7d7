import { createHash } from 'node:crypto';
import { LARGE_FILE, largeFileBytes } from '../../../provision/images/workload-assets.ts';
import { expectOutput } from './expect-output.ts';
import type { Workload } from './workload.ts';

const BLOCK_BYTES = 4096;
/** The block written: the middle of the file. */
export const COPY_UP_BLOCK = LARGE_FILE.bytes / 2 / BLOCK_BYTES;

/**
 * Overwrites one 4 KiB block in the middle of the image's 64 MiB /data/large.bin, in place
 * (`conv=notrunc`) and durably (`fsync`): with file-based copy-on-write (overlay) the whole
 * file is copied up first, with block-based copy-on-write (btrfs, xfs reflinks, zfs) only
 * the block, with a deep copy nothing. Then prints the file's size and the md5 of the block
 * before it (untouched) together with the written one (zeros). Every tool is the image's
 * /bin/busybox, as in the cpu workload: the same binary in every image, and one that uses
 * the plain system calls (GNU stat's statx printed an empty size under gVisor).
 */
export const COPY_UP_SCRIPT = [
  'set -e',
  `/bin/busybox dd if=/dev/zero of=${LARGE_FILE.path} bs=${BLOCK_BYTES} seek=${COPY_UP_BLOCK} count=1 conv=notrunc,fsync 2>/dev/null`,
  `echo "size $(/bin/busybox stat -c %s ${LARGE_FILE.path})"`,
  `/bin/busybox dd if=${LARGE_FILE.path} bs=${BLOCK_BYTES} skip=${COPY_UP_BLOCK - 1} count=2 2>/dev/null | /bin/busybox md5sum`,
].join('\n');

/** The md5 the script prints when the block was written and its neighbour is the image's. */
export function expectedCopyUpMd5(): string {
  const before = largeFileBytes((COPY_UP_BLOCK - 1) * BLOCK_BYTES, BLOCK_BYTES);
  return createHash('md5').update(before).update(Buffer.alloc(BLOCK_BYTES)).digest('hex');
}

const EXPECTED = `size ${LARGE_FILE.bytes}\n${expectedCopyUpMd5()}  -\n`;

export const copyUp: Workload = {
  name: 'copy-up',
  argv: ['/bin/sh', '-c', COPY_UP_SCRIPT],
  check: (record) => expectOutput(record, EXPECTED),
};
