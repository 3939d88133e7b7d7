import { bind } from './bind.ts';
import { btrfsSnapshot } from './btrfs-snapshot.ts';
import { copy } from './copy.ts';
import { overlay } from './overlay.ts';
import type { StorageDriver } from './storage-driver.ts';
import { xfsReflink } from './xfs-reflink.ts';
import { zfsClone } from './zfs-clone.ts';

/** Every storage driver the pipeline prepares itself; a new one is one file plus one line here. */
export const STORAGE_DRIVERS: Readonly<Record<string, StorageDriver>> = {
  copy, overlay, 'btrfs-snapshot': btrfsSnapshot, 'xfs-reflink': xfsReflink, 'zfs-clone': zfsClone, bind,
};

export type { OciMount, RootfsBundle, StorageContext, StorageDriver } from './storage-driver.ts';
