import path from 'node:path';
import { CrbenchError } from '../../errors.ts';
import type { ContainerLimits } from '../limits.ts';
import { CPU_PERIOD_US } from '../oci-config.ts';
import { run, type Step } from '../executor/steps.ts';
import { lxcMemoryCgroup } from './lxc.ts';
import { lastRecord, type ContainerPlan, type ContainerSpec } from './runtime-adapter.ts';

/** The one storage pool of the group's daemon; the default profile's root disk lives on it. */
export const LXD_POOL = 'crbench';

/** LXD's storage drivers the matrix can name (`lxc storage create POOL DRIVER`). */
export const LXD_STORAGE_DRIVERS = ['dir', 'btrfs', 'zfs', 'lvm'] as const;

/** Throws the error a user can act on when `driver` is not one of LXD's storage drivers. */
export function assertLxdStorageDriver(driver: string): void {
  if (!(LXD_STORAGE_DRIVERS as readonly string[]).includes(driver)) {
    throw new CrbenchError('UNKNOWN_STORAGE_DRIVER', `LXD has no storage driver named '${driver}'; expected one of: ${LXD_STORAGE_DRIVERS.join(', ')}`);
  }
}

export interface LxdPoolPlace {
  mountpoint: string;
  /** The group's zfs dataset (the root of its zpool), for the zfs driver. */
  zfsDataset: string;
  /** A loop device on a file of the group's volume, for the lvm driver. */
  lvmDevice: string | null;
  volumeGroup: string;
}

/**
 * `lxc storage create` arguments for the group's pool, on the group's volume. dir and btrfs
 * take a directory outside LXD_DIR (LXD refuses any source that merely starts with
 * LXD_DIR's path, so not `<mountpoint>/lxd-…`); btrfs makes it a subvolume and snapshots
 * images into containers; zfs takes a dataset of the group's pool; lvm a block device it
 * turns into a volume group.
 */
export function lxdPoolArgs(driver: string, place: LxdPoolPlace): string[] {
  const directory = path.join(place.mountpoint, 'pools', LXD_POOL);
  switch (driver) {
    case 'dir':
    case 'btrfs':
      return [driver, `source=${directory}`];
    case 'zfs':
      return ['zfs', `source=${place.zfsDataset}/lxd`];
    case 'lvm':
      if (place.lvmDevice === null) throw new Error('the lvm pool needs a loop device');
      return ['lvm', `source=${place.lvmDevice}`, `lvm.vg_name=${place.volumeGroup}`];
    default:
      assertLxdStorageDriver(driver);
      throw new Error(`no pool arguments for ${driver}`);
  }
}

/**
 * The hand-made setup of a fresh daemon, without `lxd init` (it wants a bridge and finds no
 * free subnet here) and without any network: a storage pool, the default profile's root
 * disk on it, the limits, and an init that only sleeps (the workload runs through `lxc
 * exec`, as with every other runtime), set through raw.lxc so that any rootfs tarball is an
 * image as it is. `limits.memory.swap=false` matches the OCI runtimes' swap = memory limit.
 */
export function lxdSetupCommands(client: string[], poolArgs: string[], limits: ContainerLimits, initArgv = ['/bin/sleep', '86400']): string[][] {
  return [
    [...client, 'storage', 'create', LXD_POOL, ...poolArgs],
    [...client, 'profile', 'device', 'add', 'default', 'root', 'disk', 'path=/', `pool=${LXD_POOL}`],
    [...client, 'profile', 'set', 'default', `limits.memory=${limits.memoryBytes}`, 'limits.memory.swap=false',
      `limits.processes=${limits.pids}`, `limits.cpu.allowance=${Math.round(limits.cpus * CPU_PERIOD_US / 1000)}ms/${CPU_PERIOD_US / 1000}ms`,
      `raw.lxc=lxc.init.cmd = ${initArgv.join(' ')}`],
  ];
}

/** metadata.yaml of an LXD image: the architecture and a fixed creation date (reproducible bytes). */
export function lxdImageMetadata(image: string, architecture: string): string {
  return [
    `architecture: ${architecture}`,
    'creation_date: 1704067200',
    'properties:',
    `  description: crbench ${image} image`,
    '',
  ].join('\n');
}

/** A throw-away container made right after the import, so the pool holds the image volume before the first create. */
export function warmContainerName(image: string): string {
  return `crbench-warm-${image}`;
}

/**
 * An LXD split image: a metadata tarball plus the cached rootfs tarball as it is. After the
 * import a container is made and deleted once: drivers that keep an unpacked image volume
 * (btrfs, zfs, lvm) then clone it for every container, so the first measured create is not
 * also the image's unpack. (dir keeps none: it unpacks the tarball for every container.)
 */
export function lxdImportSteps(client: string[], options: { image: string; tarballPath: string; metadataDir: string; metadataTarball: string }): Step[] {
  const { image } = options;
  return [
    run('import: tar metadata', ['tar', '-cf', options.metadataTarball, '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', options.metadataDir, 'metadata.yaml']),
    run('lxc image import', [...client, 'image', 'import', options.metadataTarball, options.tarballPath, '--alias', image]),
    run('lxc init (warm-up)', [...client, 'init', image, warmContainerName(image)]),
    run('lxc delete (warm-up)', [...client, 'delete', warmContainerName(image)]),
  ];
}

/** The commands of each phase; the workload's exit code and output come back through `lxc exec`. */
export function lxdContainer(client: string[], cgroupMode: string, c: ContainerSpec): ContainerPlan {
  let initPid: number | null = null;
  return {
    create: () => [run('lxc init', [...client, 'init', c.image, c.id])],
    launch: () => [run('lxc start', [...client, 'start', c.id])],
    execute: () => [run('lxc exec', [...client, 'exec', c.id, '--', ...c.workloadArgv], { exitJudgedElsewhere: true })],
    stop: () => [
      run('lxc stop', [...client, 'stop', c.id, '--force']),
      ...(initPid === null ? [] : [{ kind: 'wait-exit' as const, label: 'init exit', pid: initPid }]),
    ],
    clean: () => [run('lxc delete', [...client, 'delete', c.id])],
    after(phase) {
      if (phase !== 'launch') return;
      return {
        steps: [run('lxc query state', [...client, 'query', `/1.0/instances/${c.id}/state`])],
        learn(records) {
          let pid: unknown;
          try { pid = (JSON.parse(records.at(-1)?.stdout ?? '') as { pid?: unknown }).pid; } catch { pid = undefined; }
          if (typeof pid !== 'number' || pid <= 0) throw new CrbenchError('NO_INIT_PID', `lxc query /1.0/instances/${c.id}/state gave no init pid: ${records.at(-1)?.stderr.trim() ?? ''}`);
          initPid = pid;
        },
      };
    },
    workloadRun: lastRecord,
    memoryCgroup: () => lxcMemoryCgroup(cgroupMode, c.id, initPid),
    forceRemove: () => [run('lxc delete --force', [...client, 'delete', '--force', c.id])],
  };
}

export const LXD_LXCFS_HOOKS_WORKAROUND =
  'LXD includes /usr/share/lxc/config/common.conf.d/ in every container\'s configuration, where Debian\'s lxcfs ' +
  'package puts a mount hook and a post-stop hook that sleeps 0.5 s; lxcfs is not running here, so crbench ran ' +
  'lxd with LXD_LXC_TEMPLATE_CONFIG pointing at an empty directory (measured with the hooks, every stop takes about 0.5 s longer)';
