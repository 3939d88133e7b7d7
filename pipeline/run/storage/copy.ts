import { run } from '../executor/steps.ts';
import { unpackInto, type StorageDriver } from './storage-driver.ts';

/**
 * Deep copy: every file of the image is copied for every container. `--reflink=never`
 * because coreutils 9 reflinks by default where it can (btrfs, xfs), which would quietly
 * turn this into block-based copy-on-write.
 */
export const copy: StorageDriver = {
  name: 'copy',
  importImage: (_context, tarballPath, imageRootfs) => unpackInto(tarballPath, imageRootfs),
  prepare: (_context, imageRootfs, containerRootfs) => [run('rootfs: cp -a', ['cp', '-a', '--reflink=never', imageRootfs, containerRootfs])],
  remove: (_context, containerRootfs) => [run('rootfs: rm -rf', ['rm', '-rf', containerRootfs])],
  describe: { prepare: 'cp -a --reflink=never IMAGE_ROOTFS BUNDLE/rootfs', remove: 'rm -rf BUNDLE/rootfs' },
};
