import path from 'node:path';
import type { StorageDriver } from './storage-driver.ts';

/**
 * Block-based copy-on-write on btrfs: the image is a subvolume, each container a writable
 * snapshot of it, which shares every extent until one is written.
 */
export const btrfsSnapshot: StorageDriver = {
  name: 'btrfs-snapshot',
  importImage: (_context, tarballPath, imageRootfs) => [
    { kind: 'run', argv: ['mkdir', '-p', path.dirname(imageRootfs)] },
    { kind: 'run', argv: ['btrfs', '-q', 'subvolume', 'create', imageRootfs] },
    { kind: 'run', argv: ['tar', '-xf', tarballPath, '-C', imageRootfs] },
  ],
  prepare: (_context, imageRootfs, rootfs) => [{ kind: 'run', argv: ['btrfs', '-q', 'subvolume', 'snapshot', imageRootfs, rootfs] }],
  remove: (_context, rootfs) => [{ kind: 'run', argv: ['btrfs', '-q', 'subvolume', 'delete', rootfs] }],
  describe: { prepare: 'btrfs subvolume snapshot IMAGE_SUBVOLUME BUNDLE/rootfs', remove: 'btrfs subvolume delete BUNDLE/rootfs' },
};
