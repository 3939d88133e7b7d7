import { run } from '../executor/steps.ts';
import { unpackInto, type StorageDriver } from './storage-driver.ts';

/**
 * File-based copy-on-write: the image is the read-only lower layer of an overlay mount, the
 * container writes to an upper directory of its own; a file changed in the container is
 * first copied up whole. What Docker's overlay2 and Podman's overlay do, without a daemon.
 */
export const overlay: StorageDriver = {
  name: 'overlay',
  importImage: (_context, tarballPath, imageRootfs) => unpackInto(tarballPath, imageRootfs),
  prepare: (_context, imageRootfs, rootfs) => [
    run('rootfs: mkdir', ['mkdir', '-p', `${rootfs}.upper`, `${rootfs}.work`, rootfs]),
    run('rootfs: mount overlay', ['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${imageRootfs},upperdir=${rootfs}.upper,workdir=${rootfs}.work`, rootfs]),
  ],
  remove: (_context, rootfs) => [
    run('rootfs: umount', ['umount', rootfs]),
    run('rootfs: rm -rf', ['rm', '-rf', rootfs, `${rootfs}.upper`, `${rootfs}.work`]),
  ],
  describe: {
    prepare: 'mkdir -p BUNDLE/rootfs{,.upper,.work}; mount -t overlay overlay -o lowerdir=IMAGE_ROOTFS,upperdir=BUNDLE/rootfs.upper,workdir=BUNDLE/rootfs.work BUNDLE/rootfs',
    remove: 'umount BUNDLE/rootfs; rm -rf BUNDLE/rootfs{,.upper,.work}',
  },
};
