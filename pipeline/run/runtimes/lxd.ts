import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import { lxdClient, startLxd, stopLxd, type LxdPaths } from '../../../provision/daemons/lxd.ts';
import { recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import { CrbenchError } from '../../errors.ts';
import { attachLvmLoop, lvmReleaseCommands, volumeGroupName } from './lxc-backing-store.ts';
import { probeLxcHostFacts, type LxcHostFacts } from './lxc-config.ts';
import { runAll } from './lxc.ts';
import {
  assertLxdStorageDriver, LXD_LXCFS_HOOKS_WORKAROUND, LXD_POOL, lxdContainer, lxdImageMetadata, lxdImportSteps, lxdPoolArgs, lxdSetupCommands,
} from './lxd-setup.ts';
import type { GroupContext, PhaseTexts, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';

/** Where the group's LXD keeps everything, all on the group's volume. */
export function lxdPathsOf(mountpoint: string, facts: Pick<LxcHostFacts, 'lxcfsRunning'>): LxdPaths {
  return {
    lxdDir: path.join(mountpoint, 'lxd'),
    clientDir: path.join(mountpoint, 'lxd-client'),
    templateConfigDir: facts.lxcfsRunning ? null : path.join(mountpoint, 'lxd-setup', 'no-lxcfs'),
  };
}

export const LXD_TRAVERSE_WORKAROUND =
  'LXD\'s containers are unprivileged: their root (a high host uid) must traverse the path to its rootfs, and the ' +
  'work directory is private to root (0700): for each LXD group crbench let others traverse it (adding o+x, no listing) ' +
  'and put the mode back afterwards';

/**
 * The directories from the work directory down to the group's mountpoint that others
 * cannot traverse, with their modes: an unprivileged container's root must reach its
 * rootfs below LXD_DIR. An ancestor above the work directory that blocks the way is not
 * ours to change: that is an error saying so.
 */
export function blockedDirectories(workDir: string, mountpoint: string, modeOf = (dir: string) => statSync(dir).mode): { dir: string; mode: number }[] {
  const blocked: { dir: string; mode: number }[] = [];
  for (let dir = path.resolve(mountpoint); ; dir = path.dirname(dir)) {
    const mode = modeOf(dir) & 0o7777;
    if ((mode & 0o001) === 0) {
      if (path.relative(workDir, dir).startsWith('..')) {
        throw new CrbenchError('NOT_TRAVERSABLE', `LXD's unprivileged containers cannot reach their rootfs: ${dir} (above the work directory ${workDir}) is not traversable by others; chmod o+x ${dir}, or move CRBENCH_WORK_DIR`);
      }
      blocked.push({ dir, mode });
    }
    if (dir === path.dirname(dir)) break;
  }
  return blocked;
}

/** Puts the modes of `blockedDirectories` back; recorded for a crash too. */
export function restoreModeCommands(blocked: { dir: string; mode: number }[]): string[][] {
  return blocked.map(({ dir, mode }) => ['chmod', mode.toString(8).padStart(4, '0'), dir]);
}

/**
 * What removes the group's containers after a crash, before its daemon is stopped (the
 * daemon record's `lxd shutdown` follows): every instance force-stopped, the LVM volume
 * group the lvm driver made, with its loop device, and the modes of the directories that
 * were made traversable.
 */
export function lxdTeardownCommands(client: string[], lvm: { device: string; volumeGroup: string } | null, restoreModes: string[][] = []): string[][] {
  return [[...client, 'stop', '--all', '--force'], ...(lvm === null ? [] : lvmReleaseCommands(lvm.device, lvm.volumeGroup)), ...restoreModes];
}

/**
 * LXD with a daemon of the group's own (provision/daemons/lxd.ts), set up by hand without a
 * network. Every client call is `env LXD_DIR=… LXD_CONF=… lxc …`. Phases:
 *   create  `lxc init IMAGE ID`          launch `lxc start ID`
 *   execute `lxc exec ID -- <workload>`  stop   `lxc stop ID --force`, wait for the init
 *   clean   `lxc delete ID`
 * Containers are unprivileged, as LXD makes them by default: the first start of each shifts
 * its rootfs's owners into the container's id range ("Remapping container filesystem"),
 * which the launch phase holds.
 */
export const lxd: RuntimeAdapter = {
  name: 'lxd',
  versionArgv: ['lxd', '--version'],
  describePhases(storageDriver): PhaseTexts {
    assertLxdStorageDriver(storageDriver);
    const lxcCmd = 'env LXD_DIR=STATE LXD_CONF=CLIENT lxc';
    return {
      create: `${lxcCmd} init IMAGE ID (root disk on a ${storageDriver} pool${storageDriver === 'dir' ? ': the image tarball unpacked for every container' : ': a clone of the image volume'})`,
      launch: `${lxcCmd} start ID (unprivileged: the first start shifts the rootfs's owners into the container's id range)`,
      execute: `${lxcCmd} exec ID -- WORKLOAD`,
      stop: `${lxcCmd} stop ID --force, then wait until the init process has exited`,
      clean: `${lxcCmd} delete ID`,
    };
  },
  async openGroup(context: GroupContext): Promise<RuntimeGroup> {
    return openLxdGroup(context, probeLxcHostFacts());
  },
};

export async function openLxdGroup(context: GroupContext, facts: LxcHostFacts): Promise<RuntimeGroup> {
  const driver = context.storageDriver;
  assertLxdStorageDriver(driver);
  const paths = lxdPathsOf(context.mountpoint, facts);
  const client = lxdClient(paths);
  const imageDir = path.join(context.mountpoint, 'lxd-setup', 'images');
  // dir wants its source to exist; btrfs makes it itself, as a subvolume.
  mkdirSync(path.join(context.mountpoint, 'pools', driver === 'dir' ? LXD_POOL : ''), { recursive: true });

  // Recorded before anything changes; the lvm driver's loop device is added once attached.
  const blocked = blockedDirectories(context.workDir, context.mountpoint);
  const restoreModes = restoreModeCommands(blocked);
  const state: RuntimeState = {
    groupId: context.groupId, runtime: 'lxd', commandPrefix: client, stateRoot: paths.lxdDir, namespaceFile: null,
    teardownCommands: lxdTeardownCommands(client, null, restoreModes),
  };
  recordRuntimeState(context.workDir, state);
  for (const { dir, mode } of blocked) chmodSync(dir, mode | 0o001);
  const volumeGroup = volumeGroupName(context.groupId);
  let lvmDevice: string | null = null;
  let daemon: Awaited<ReturnType<typeof startLxd>> | null = null;
  // The group's own release, in order: containers, daemon, LVM; the record's commands are for a crash.
  const release = async (): Promise<void> => {
    if (daemon !== null) {
      await $`${client} stop --all --force`.quiet().nothrow();
      await stopLxd(context.workDir, daemon, paths.lxdDir);
    }
    if (lvmDevice !== null) {
      for (const [file, ...args] of lvmReleaseCommands(lvmDevice, volumeGroup)) await $`${file} ${args}`.quiet().nothrow();
    }
    for (const { dir, mode } of blocked) chmodSync(dir, mode);
    await releaseRuntimeState(context.workDir, { ...state, teardownCommands: [] });
  };
  try {
    if (driver === 'lvm') {
      lvmDevice = await attachLvmLoop(context.workDir, context.mountpoint);
      state.teardownCommands = lxdTeardownCommands(client, { device: lvmDevice, volumeGroup }, restoreModes);
      recordRuntimeState(context.workDir, state);
    }
    daemon = await startLxd(context.workDir, context.groupId, paths);
    const poolArgs = lxdPoolArgs(driver, { mountpoint: context.mountpoint, zfsDataset: context.poolName, lvmDevice, volumeGroup });
    await runAll(`setting up lxd for ${context.groupId}`, lxdSetupCommands(client, poolArgs, context.limits));
  } catch (error) {
    await release();
    throw error;
  }

  return {
    workarounds: [...(facts.lxcfsRunning ? [] : [LXD_LXCFS_HOOKS_WORKAROUND]), ...(blocked.length > 0 ? [LXD_TRAVERSE_WORKAROUND] : [])],
    importImage(image, tarballPath) {
      // The metadata file is written here, before the import's clock starts; the steps pack and import it.
      const metadataDir = path.join(imageDir, image);
      mkdirSync(metadataDir, { recursive: true });
      writeFileSync(path.join(metadataDir, 'metadata.yaml'), lxdImageMetadata(image, os.machine()));
      return lxdImportSteps(client, { image, tarballPath, metadataDir, metadataTarball: path.join(imageDir, `${image}.metadata.tar`) });
    },
    container: (c) => lxdContainer(client, context.host.cgroupMode, c),
    close: release,
  };
}
