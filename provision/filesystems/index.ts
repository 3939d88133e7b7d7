import { btrfs } from './btrfs.ts';
import { ext4 } from './ext4.ts';
import type { Filesystem } from './filesystem.ts';
import { xfs } from './xfs.ts';
import { zfs } from './zfs.ts';
import { zfsFuse } from './zfs-fuse.ts';

/** Every filesystem a volume can carry; a new one is one file plus one line here. */
export const FILESYSTEMS: Readonly<Record<string, Filesystem>> = { ext4, xfs, btrfs, zfs, 'zfs-fuse': zfsFuse };

export type { Filesystem } from './filesystem.ts';
