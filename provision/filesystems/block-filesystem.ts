import { $ } from 'zx';
import { runStep } from '../run-step.ts';
import type { Filesystem } from './filesystem.ts';

/** A filesystem made by an mkfs tool and mounted by the kernel driver of the same name. */
export function blockFilesystem(spec: {
  name: string;
  mkfsArgv: (device: string) => string[];
  mountOptions?: string[];
}): Filesystem {
  const mountOptions = spec.mountOptions ?? [];
  return {
    name: spec.name,
    mountOptions,
    formatArgv: (device) => spec.mkfsArgv(device),
    async create(device, _poolName, mountpoint) {
      const [tool, ...args] = spec.mkfsArgv(device);
      await runStep(`formatting ${device} as ${spec.name}`, $`${tool} ${args}`);
      const options = mountOptions.length > 0 ? ['-o', mountOptions.join(',')] : [];
      await runStep(`mounting ${device} at ${mountpoint}`, $`mount -t ${spec.name} ${options} ${device} ${mountpoint}`);
    },
    // Recursive: a crash can leave an overlay or bind mount of a container below the volume.
    async destroy(mountpoint) {
      await runStep(`unmounting ${mountpoint}`, $`umount --recursive ${mountpoint}`);
    },
  };
}
