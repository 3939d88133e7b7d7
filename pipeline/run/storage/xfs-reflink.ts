import { run } from '../executor/steps.ts';
import { unpackInto, type StorageDriver } from './storage-driver.ts';

/**
 * Block-based copy-on-write on xfs (made with reflink=1): each file of the image is
 * reflinked, so the copy shares its blocks with the image until one is written. Unlike a
 * snapshot it still walks and creates every file and directory.
 */
export const xfsReflink: StorageDriver = {
  name: 'xfs-reflink',
  importImage: (_context, tarballPath, imageRootfs) => unpackInto(tarballPath, imageRootfs),
  prepare: (_context, imageRootfs, rootfs) => [run('rootfs: cp -a --reflink', ['cp', '-a', '--reflink=always', imageRootfs, rootfs])],
  remove: (_context, rootfs) => [run('rootfs: rm -rf', ['rm', '-rf', rootfs])],
  describe: { prepare: 'cp -a --reflink=always IMAGE_ROOTFS BUNDLE/rootfs', remove: 'rm -rf BUNDLE/rootfs' },
};
