import { $ } from 'zx';
import { CrbenchError } from '../../pipeline/errors.ts';
import { stopDaemon } from '../daemons/daemon.ts';
import { destroyPoolArgv, ownZfsFuseRecord, poolIsImported, retryWhileBusy, startZfsFuse } from '../daemons/zfs-fuse.ts';
import { assertOwnLoopDevice } from '../loop-device.ts';
import { readMounts } from '../mounts.ts';
import { runStep } from '../run-step.ts';
import { assertUnderWorkDir, isUnderWorkDir } from '../work-dir.ts';
import type { Filesystem } from './filesystem.ts';

/** How long a `zpool destroy` may keep answering "pool is busy" (zfs-fuse lets go of datasets late). */
const DESTROY_TIMEOUT_MS = 10_000;

function mountsBelow(mountpoint: string): string[] {
  return readMounts().map((entry) => entry.mountpoint).filter((candidate) => candidate === mountpoint || isUnderWorkDir(mountpoint, candidate));
}

/**
 * ZFS in user space (Debian's zfs-fuse), for hosts without the zfs kernel module: the same
 * single-device pool as `zfs` on the volume's loop device, served by a zfs-fuse daemon (the
 * volume's own, or the host's if one runs: daemons/zfs-fuse.ts). Its datasets mount as
 * `fuse.zfs`. ZFS's semantics (snapshots, clones, copy-on-write), not its kernel speed:
 * results are never comparable with kernel ZFS.
 *
 * `-o cachefile=none` keeps the pool out of /var/lib/zfs/zpool.cache, so no later zfs-fuse
 * imports it; `-f` because the device is new; atime off and ashift=12 as for kernel zfs.
 */
export const zfsFuse: Filesystem = {
  name: 'zfs-fuse',
  mountOptions: [],
  formatArgv: (device, poolName, mountpoint) =>
    ['zpool', 'create', '-f', '-o', 'cachefile=none', '-o', 'ashift=12', '-O', 'atime=off', '-m', mountpoint, poolName, device],
  async create(device, poolName, mountpoint, volume) {
    if (volume === undefined) throw new Error('zfs-fuse needs the volume it is made for');
    // The last check before `zpool create -f`: only a loop device of ours, only below the work directory.
    assertOwnLoopDevice(volume.workDir, device);
    assertUnderWorkDir(volume.workDir, mountpoint, 'mount a zfs-fuse pool at');
    await startZfsFuse(volume.workDir, volume);
    const [tool, ...args] = zfsFuse.formatArgv(device, poolName, mountpoint);
    await runStep(`creating zpool ${poolName} on ${device} (zfs-fuse)`, $`${tool} ${args}`);
  },
  async destroy(mountpoint, poolName, volume) {
    if (await poolIsImported(poolName)) {
      const destroyed = await retryWhileBusy(destroyPoolArgv(poolName), DESTROY_TIMEOUT_MS);
      // Our own daemon exports whatever is left as `release` stops it; a host's daemon we never stop.
      if (!destroyed.ok && (volume === undefined || ownZfsFuseRecord(volume.workDir, volume.name) === undefined)) {
        throw new CrbenchError('PROVISION_FAILED', `destroying zpool ${poolName} failed after ${destroyed.tries} tries: ${destroyed.said}`);
      }
    }
  },
  async release(volume) {
    const record = ownZfsFuseRecord(volume.workDir, volume.name);
    if (record !== undefined) await stopDaemon(volume.workDir, record);
    // A daemon that died leaves its mounts dead ("Transport endpoint is not connected").
    for (const mountpoint of mountsBelow(volume.mountpoint).reverse()) {
      const plain = await $`umount ${mountpoint}`.quiet().nothrow();
      if (plain.exitCode !== 0) await $`umount --lazy ${mountpoint}`.quiet().nothrow();
    }
    const left = mountsBelow(volume.mountpoint);
    if (left.length > 0) throw new CrbenchError('PROVISION_FAILED', `zfs-fuse left ${left.join(', ')} mounted`);
  },
};
