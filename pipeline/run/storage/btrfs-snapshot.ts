import path from 'node:path';
import { run } from '../executor/steps.ts';
import type { StorageDriver } from './storage-driver.ts';

/**
 * Block-based copy-on-write on btrfs: the image is a subvolume, each container a writable
 * snapshot of it, which shares every extent until one is written.
 */
export const btrfsSnapshot: StorageDriver = {
  name: 'btrfs-snapshot',
  importImage: (_context, tarballPath, imageRootfs) => [
    run('image: mkdir', ['mkdir', '-p', path.dirname(imageRootfs)]),
    run('image: btrfs subvolume create', ['btrfs', '-q', 'subvolume', 'create', imageRootfs]),
    run('image: tar -x', ['tar', '-xf', tarballPath, '-C', imageRootfs]),
  ],
  prepare: (_context, imageRootfs, rootfs) => [run('rootfs: btrfs subvolume snapshot', ['btrfs', '-q', 'subvolume', 'snapshot', imageRootfs, rootfs])],
  remove: (_context, rootfs) => [run('rootfs: btrfs subvolume delete', ['btrfs', '-q', 'subvolume', 'delete', rootfs])],
  describe: { prepare: 'btrfs subvolume snapshot IMAGE_SUBVOLUME BUNDLE/rootfs', remove: 'btrfs subvolume delete BUNDLE/rootfs' },
};
