import { $ } from 'zx';
import { runStep } from '../run-step.ts';
import type { Filesystem } from './filesystem.ts';

/**
 * A single-device pool on the loop device, its root dataset mounted at the mountpoint.
 * `-f` because the device is new; atime off as Docker's and LXD's zfs guides set it.
 */
export const zfs: Filesystem = {
  name: 'zfs',
  mountOptions: [],
  formatArgv: (device, poolName, mountpoint) =>
    ['zpool', 'create', '-f', '-o', 'ashift=12', '-O', 'atime=off', '-O', `mountpoint=${mountpoint}`, poolName, device],
  async create(device, poolName, mountpoint) {
    const [tool, ...args] = zfs.formatArgv(device, poolName, mountpoint);
    await runStep(`creating zpool ${poolName} on ${device}`, $`${tool} ${args}`);
  },
  async destroy(_mountpoint, poolName) {
    await runStep(`destroying zpool ${poolName}`, $`zpool destroy -f ${poolName}`);
  },
};
