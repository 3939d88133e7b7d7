import { statfsSync } from 'node:fs';
import path from 'node:path';
import { attachLoop, createImageFile } from '../../../provision/loop-device.ts';
import { CrbenchError } from '../../errors.ts';

/**
 * Where a backing store keeps its volumes on the group's volume: the zfs dataset below the
 * group's pool and the LVM volume group on a loop file, when the driver needs them.
 */
export interface BackingStorePlace {
  /** `--zfsroot` of lxc-create: the parent dataset of the containers' datasets. */
  zfsRoot: string;
  /** `--vgname` of lxc-create. */
  volumeGroup: string;
}

/**
 * One of LXC's backing stores (`lxc-create -B`), as the matrix names it. The image is
 * unpacked once per group into a base container made with the store; every container is
 * then a clone of the base made by `lxc-copy`, with the store's own clone operation.
 */
export interface LxcBackingStore {
  name: string;
  /** lxc-create flags that make the base container's rootfs with this store. */
  baseArgs(place: BackingStorePlace, imageBytes: number): string[];
  /** lxc-copy flags that make a container's rootfs from the base's. */
  cloneArgs: string[];
  /** How the clone is made, in words for the report. */
  describe: string;
}

const MiB = 1024 * 1024;

/** A block-device backed base needs a fixed size: room for the image twice over, 64 MiB at least. */
export function blockDeviceSizeMiB(imageBytes: number): number {
  return Math.max(64, Math.ceil((2 * imageBytes) / MiB) + 32);
}

export const LXC_BACKING_STORES: Readonly<Record<string, LxcBackingStore>> = {
  dir: {
    name: 'dir',
    baseArgs: () => ['-B', 'dir'],
    cloneArgs: [],
    describe: 'a full copy of the base\'s rootfs directory (lxc-copy copies with rsync)',
  },
  btrfs: {
    name: 'btrfs',
    baseArgs: () => ['-B', 'btrfs'],
    cloneArgs: ['-s'],
    describe: 'a btrfs snapshot of the base\'s rootfs subvolume',
  },
  overlayfs: {
    name: 'overlayfs',
    baseArgs: () => ['-B', 'dir'],
    cloneArgs: ['-s', '-B', 'overlayfs'],
    describe: 'an overlay whose lower layer is the base\'s rootfs directory; LXC mounts it when the container starts',
  },
  zfs: {
    name: 'zfs',
    baseArgs: (place) => ['-B', 'zfs', '--zfsroot', place.zfsRoot],
    cloneArgs: ['-s'],
    describe: 'a zfs snapshot of the base\'s dataset and a clone of it',
  },
  lvm: {
    name: 'lvm',
    baseArgs: (place, imageBytes) => ['-B', 'lvm', '--vgname', place.volumeGroup, '--fstype', 'ext4', '--fssize', `${blockDeviceSizeMiB(imageBytes)}M`],
    cloneArgs: ['-s'],
    describe: 'an LVM snapshot of the base\'s logical volume',
  },
};

export function lxcBackingStoreOf(name: string): LxcBackingStore {
  const store = LXC_BACKING_STORES[name];
  if (store === undefined) {
    throw new CrbenchError('UNKNOWN_STORAGE_DRIVER', `LXC has no backing store named '${name}'; expected one of: ${Object.keys(LXC_BACKING_STORES).join(', ')}`);
  }
  return store;
}

/**
 * The parent dataset of LXC's datasets. lxc-create runs `zfs create -p` for each container,
 * which would make a missing parent mount itself over the lxcpath: it is made beforehand,
 * with `canmount=off`.
 */
export function zfsRootCommands(zfsRoot: string): string[][] {
  return [['zfs', 'create', '-o', 'canmount=off', zfsRoot]];
}

/** A volume group on a loop device (attached to a file on the group's volume). */
export function lvmSetupCommands(device: string, volumeGroup: string): string[][] {
  return [['pvcreate', '-y', device], ['vgcreate', volumeGroup, device]];
}

/** Undoes `lvmSetupCommands` and detaches the loop device; each step is best effort. */
export function lvmReleaseCommands(device: string, volumeGroup: string): string[][] {
  return [['vgremove', '-f', volumeGroup], ['pvremove', '-y', device], ['losetup', '--detach', device]];
}

/** `crbench-lxc.lvm.ext4`: a VG name may hold letters, digits and `+_.-`, and not start with `-`. */
export function volumeGroupName(groupId: string): string {
  return `crbench-${groupId.replace(/[^A-Za-z0-9+_.-]/g, '-')}`;
}


/**
 * A sparse file on the group's volume, four fifths of its free space, attached to a loop
 * device for LVM: the volume is a mounted filesystem, and LVM needs a block device.
 */
export async function attachLvmLoop(workDir: string, mountpoint: string): Promise<string> {
  const stats = statfsSync(mountpoint);
  const sizeMiB = Math.max(64, Math.floor((stats.bavail * stats.bsize * 0.8) / MiB));
  const imagePath = path.join(mountpoint, 'lvm.img');
  await createImageFile(workDir, imagePath, sizeMiB);
  return (await attachLoop(workDir, imagePath)).device;
}
