import { run, type Step } from '../executor/steps.ts';

/** Where a driver works: the group's volume, and its zpool when the volume is zfs. */
export interface StorageContext {
  mountpoint: string;
  poolName: string;
}

/**
 * How a container's root filesystem is made from an image on the group's volume, for the
 * runtimes that leave it to the pipeline (runc, crun, runsc). The import runs once per
 * image and group (a timed setup step); `prepare` is part of the create phase and `remove`
 * part of the clean phase. A container's root is always `<container dir>/rootfs`; drivers
 * may keep what they need beside it (`rootfs.upper`, …).
 */
export interface StorageDriver {
  name: string;
  importImage(context: StorageContext, tarballPath: string, imageRootfs: string): Step[];
  prepare(context: StorageContext, imageRootfs: string, containerRootfs: string): Step[];
  remove(context: StorageContext, containerRootfs: string): Step[];
  describe: { prepare: string; remove: string };
}

/** Unpacks the image tarball into a plain directory: the base every driver but zfs-clone and btrfs-snapshot uses. */
export function unpackInto(tarballPath: string, imageRootfs: string): Step[] {
  return [
    run('image: mkdir', ['mkdir', '-p', imageRootfs]),
    run('image: tar -x', ['tar', '-xf', tarballPath, '-C', imageRootfs]),
  ];
}
