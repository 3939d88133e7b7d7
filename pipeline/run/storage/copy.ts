import { unpackInto, type StorageDriver } from './storage-driver.ts';

/**
 * Deep copy: every file of the image is copied for every container. `--reflink=never`
 * because coreutils 9 reflinks by default where it can (btrfs, xfs), which would quietly
 * turn this into block-based copy-on-write.
 */
export const copy: StorageDriver = {
  name: 'copy',
  importImage: (_context, tarballPath, imageRootfs) => unpackInto(tarballPath, imageRootfs),
  prepare: (_context, imageRootfs, containerRootfs) => [{ kind: 'run', argv: ['cp', '-a', '--reflink=never', imageRootfs, containerRootfs] }],
  remove: (_context, containerRootfs) => [{ kind: 'run', argv: ['rm', '-rf', containerRootfs] }],
  describe: { prepare: 'cp -a --reflink=never IMAGE_ROOTFS BUNDLE/rootfs', remove: 'rm -rf BUNDLE/rootfs' },
};
