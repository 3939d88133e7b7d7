import type { StorageDriver } from './storage-driver.ts';

/**
 * Deep copy: every file of the image is copied for every container. `--reflink=never`
 * because coreutils 9 reflinks by default where it can (btrfs, xfs), which would quietly
 * turn this into block-based copy-on-write.
 */
export const copy: StorageDriver = {
  name: 'copy',
  importImage: (tarballPath, imageRootfs) => [
    { kind: 'run', argv: ['mkdir', '-p', imageRootfs] },
    { kind: 'run', argv: ['tar', '-xf', tarballPath, '-C', imageRootfs] },
  ],
  prepare: (imageRootfs, containerRootfs) => [{ kind: 'run', argv: ['cp', '-a', '--reflink=never', imageRootfs, containerRootfs] }],
  remove: (containerRootfs) => [{ kind: 'run', argv: ['rm', '-rf', containerRootfs] }],
  describe: { prepare: 'cp -a --reflink=never IMAGE_ROOTFS BUNDLE/rootfs', remove: 'rm -rf BUNDLE/rootfs' },
};
