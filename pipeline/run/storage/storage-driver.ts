import type { Step } from '../phase-steps.ts';

/**
 * How a container's root filesystem is made from an image on the group's volume. The
 * import runs once per image and group (a timed setup step); `prepare` is part of the
 * create phase and `remove` part of the clean phase.
 */
export interface StorageDriver {
  name: string;
  importImage(tarballPath: string, imageRootfs: string): Step[];
  prepare(imageRootfs: string, containerRootfs: string): Step[];
  remove(containerRootfs: string): Step[];
  describe: { prepare: string; remove: string };
}
