import path from 'node:path';
import { run } from '../executor/steps.ts';
import type { StorageDriver } from './storage-driver.ts';

/** Dataset names from paths: a container's dataset is named after its directory. */
const imageDataset = (poolName: string, imageRootfs: string) => `${poolName}/image-${path.basename(path.dirname(imageRootfs))}`;
const containerDataset = (poolName: string, rootfs: string) => `${poolName}/container-${path.basename(path.dirname(rootfs))}`;

/**
 * `zfs destroy "$1"`, again every 10 ms (for up to about 2 s) while it answers "dataset is
 * busy". zfs-fuse gives that answer to most first destroys of a clone that was just written to
 * (its FUSE session lets go of the dataset a few milliseconds after the unmount); kernel ZFS
 * does not, and pays one `sh` for the loop. On zfs-fuse the wait is part of what a clean costs.
 */
export const DESTROY_WHILE_BUSY = 'i=0; until said=$(zfs destroy "$1" 2>&1); do case $said in *"dataset is busy"*) ;; *) echo "$said" >&2; exit 1;; esac; ' +
  'i=$((i+1)); if [ $i -ge 200 ]; then echo "$said (still, after $i tries)" >&2; exit 1; fi; sleep 0.01; done';

/**
 * Block-based copy-on-write on zfs: the image is a dataset with a snapshot, each container
 * a clone of that snapshot mounted as its root.
 */
export const zfsClone: StorageDriver = {
  name: 'zfs-clone',
  importImage: ({ poolName }, tarballPath, imageRootfs) => [
    run('image: zfs create', ['zfs', 'create', '-p', '-o', `mountpoint=${imageRootfs}`, imageDataset(poolName, imageRootfs)]),
    run('image: tar -x', ['tar', '-xf', tarballPath, '-C', imageRootfs]),
    run('image: zfs snapshot', ['zfs', 'snapshot', `${imageDataset(poolName, imageRootfs)}@base`]),
  ],
  prepare: ({ poolName }, imageRootfs, rootfs) => [
    run('rootfs: zfs clone', ['zfs', 'clone', '-o', `mountpoint=${rootfs}`, `${imageDataset(poolName, imageRootfs)}@base`, containerDataset(poolName, rootfs)]),
  ],
  remove: ({ poolName }, rootfs) => [run('rootfs: zfs destroy', ['sh', '-c', DESTROY_WHILE_BUSY, 'zfs-destroy', containerDataset(poolName, rootfs)])],
  describe: {
    prepare: 'zfs clone -o mountpoint=BUNDLE/rootfs POOL/image-IMAGE@base POOL/container-ID',
    remove: 'zfs destroy POOL/container-ID, again every 10 ms while it says "dataset is busy" (zfs-fuse)',
  },
};
