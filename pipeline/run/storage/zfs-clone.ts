import path from 'node:path';
import type { StorageDriver } from './storage-driver.ts';

/** Dataset names from paths: a container's dataset is named after its directory. */
const imageDataset = (poolName: string, imageRootfs: string) => `${poolName}/image-${path.basename(path.dirname(imageRootfs))}`;
const containerDataset = (poolName: string, rootfs: string) => `${poolName}/container-${path.basename(path.dirname(rootfs))}`;

/**
 * Block-based copy-on-write on zfs: the image is a dataset with a snapshot, each container
 * a clone of that snapshot mounted as its root.
 */
export const zfsClone: StorageDriver = {
  name: 'zfs-clone',
  importImage: ({ poolName }, tarballPath, imageRootfs) => [
    { kind: 'run', argv: ['zfs', 'create', '-p', '-o', `mountpoint=${imageRootfs}`, imageDataset(poolName, imageRootfs)] },
    { kind: 'run', argv: ['tar', '-xf', tarballPath, '-C', imageRootfs] },
    { kind: 'run', argv: ['zfs', 'snapshot', `${imageDataset(poolName, imageRootfs)}@base`] },
  ],
  prepare: ({ poolName }, imageRootfs, rootfs) => [
    { kind: 'run', argv: ['zfs', 'clone', '-o', `mountpoint=${rootfs}`, `${imageDataset(poolName, imageRootfs)}@base`, containerDataset(poolName, rootfs)] },
  ],
  remove: ({ poolName }, rootfs) => [{ kind: 'run', argv: ['zfs', 'destroy', containerDataset(poolName, rootfs)] }],
  describe: { prepare: 'zfs clone -o mountpoint=BUNDLE/rootfs POOL/image-IMAGE@base POOL/container-ID', remove: 'zfs destroy POOL/container-ID' },
};
