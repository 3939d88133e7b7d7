/**
 * A filesystem the pipeline can put on one of its loop devices. Block filesystems are
 * formatted and mounted; zfs builds a pool on the device and mounts a dataset instead.
 */
export interface Filesystem {
  name: string;
  /** The mkfs (or zpool) command line, recorded in the manifest as provenance. */
  formatArgv(device: string, poolName: string, mountpoint: string): string[];
  /** Options passed to mount; empty means the kernel's defaults. */
  mountOptions: string[];
  /** Formats the device and mounts it at `mountpoint`. */
  create(device: string, poolName: string, mountpoint: string, volume?: FilesystemVolume): Promise<void>;
  /** Unmounts (or exports and destroys) what `create` made. */
  destroy(mountpoint: string, poolName: string, volume?: FilesystemVolume): Promise<void>;
  /**
   * Stops what `create` started beside the mount (zfs-fuse's daemon). Called on every
   * release, after `destroy`, whether or not the filesystem got mounted; idempotent.
   */
  release?(volume: FilesystemVolume): Promise<void>;
}

/** The volume a filesystem is made for: whose work directory, under which name. */
export interface FilesystemVolume {
  workDir: string;
  name: string;
  poolName: string;
  mountpoint: string;
}
