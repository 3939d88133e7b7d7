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
  /**
   * What the driver asks of the OCI bundle beyond its root path: a read-only root and mounts of
   * its own (bind's writable /tmp and /task). Absent: a writable root and no mounts.
   */
  bundle?(containerRootfs: string): RootfsBundle;
}

/** An OCI mount as config.json holds it. */
export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/** A storage driver's part of the OCI bundle (StorageDriver.bundle). */
export interface RootfsBundle {
  readonlyRoot: boolean;
  mounts: OciMount[];
}

/** Unpacks the image tarball into a plain directory: the base every driver but zfs-clone and btrfs-snapshot uses. */
export function unpackInto(tarballPath: string, imageRootfs: string): Step[] {
  return [
    run('image: mkdir', ['mkdir', '-p', imageRootfs]),
    run('image: tar -x', ['tar', '-xf', tarballPath, '-C', imageRootfs]),
  ];
}
