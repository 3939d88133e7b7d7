import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { findMount } from '../../../provision/mounts.ts';
import { recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import { CrbenchError } from '../../errors.ts';
import type { Lifecycle } from '../../types.ts';
import { run, type Step } from '../executor/steps.ts';
import {
  attachLvmLoop, lvmReleaseCommands, lvmSetupCommands, lxcBackingStoreOf, volumeGroupName, zfsRootCommands,
  type BackingStorePlace,
} from './lxc-backing-store.ts';
import { writeLxcSecurity } from '../security/lxc-security.ts';
import { buildLxcConfig, LXC_UNPACK_TEMPLATE, LXCFS_HOOKS_WORKAROUND, probeLxcHostFacts, type LxcHostFacts } from './lxc-config.ts';
import { lastRecord, type ContainerMount, type ContainerPlan, type ContainerSpec, type GroupContext, type PhaseTexts, type RuntimeAdapter, type RuntimeGroup } from './runtime-adapter.ts';

/** The base container an image is unpacked into, once per group; every container is cloned from it. */
export function baseContainerName(image: string): string {
  return `crbench-base-${image}`;
}

/**
 * The memory cgroup of a container's init, as /proc/<pid>/cgroup names it: LXC (and LXD,
 * through liblxc) calls it lxc.payload.<name>, or adds a suffix when that name is taken.
 * The name-based guess when the init is gone.
 */
export function lxcMemoryCgroup(cgroupMode: string, name: string, initPid: number | null, readProc = (file: string) => readFileSync(file, 'utf8')): string {
  const root = cgroupMode === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory';
  let cgroups = '';
  try { cgroups = initPid === null ? '' : readProc(`/proc/${initPid}/cgroup`); } catch { /* gone */ }
  const line = cgroups.split('\n').map((entry) => entry.split(':')).find(([, controllers]) =>
    cgroupMode === 'v2' ? controllers === '' : (controllers ?? '').split(',').includes('memory'));
  const relative = line?.slice(2).join(':');
  return relative !== undefined && relative !== '' ? path.join(root, relative) : path.join(root, `lxc.payload.${name}`);
}

/** Where LXC keeps its lock files for an lxcpath (LXC makes them below /run/lxc/lock). */
export function lxcLockDir(lxcpath: string): string {
  return path.join('/run/lxc/lock', lxcpath);
}

/**
 * Stops every container of the lxcpath, destroys the clones, then the bases (a base with
 * clones cannot go first). Names come from lxc-ls and reach the commands as positional
 * parameters, never pasted into the script.
 */
const SWEEP_SCRIPT = [
  'for n in $(lxc-ls -P "$1" -1 --running); do lxc-stop -P "$1" -n "$n" -k; done',
  'for n in $(lxc-ls -P "$1" -1); do case "$n" in crbench-base-*) ;; *) lxc-destroy -P "$1" -n "$n" -f;; esac; done',
  'for n in $(lxc-ls -P "$1" -1); do lxc-destroy -P "$1" -n "$n" -f; done',
  'exit 0',
].join('; ');

/**
 * Removes every container of the group, whether the group closes normally or `crbench
 * teardown` runs after a crash: the containers, the LVM volume group and its loop device,
 * LXC's lock files. Every command is best effort.
 */
export function lxcTeardownCommands(lxcpath: string, lvm: { device: string; volumeGroup: string } | null): string[][] {
  return [
    ['sh', '-c', SWEEP_SCRIPT, 'sh', lxcpath],
    ...(lvm === null ? [] : lvmReleaseCommands(lvm.device, lvm.volumeGroup)),
    ['umount', '--recursive', '--lazy', lxcpath],
    ['rm', '-rf', lxcLockDir(lxcpath)],
    // The lock directory's parents, up to /run/lxc, as long as nothing else is in them.
    ['rmdir', '--parents', '--ignore-fail-on-non-empty', path.dirname(lxcLockDir(lxcpath))],
  ];
}

/**
 * The lxcpath becomes a private mount of its own. lxc-copy copies a dir rootfs with rsync in
 * a mount namespace of its own where it bind-mounts the rootfs, and makes that namespace a
 * slave only when / is shared: below a shared mount (the group's volume may be one), those
 * bind mounts would propagate back to the host and stay there, busy.
 */
export function privateLxcpathCommands(lxcpath: string): string[][] {
  return [['mount', '--bind', lxcpath, lxcpath], ['mount', '--make-private', lxcpath]];
}

/**
 * One container's life cycle; the group's paths are fixed, so this is a plain function of the
 * container. `exec`: lxc-start -d (returns once RUNNING), lxc-attach, lxc-stop -k and the wait for
 * the init (its pid asked with lxc-info after launch, outside the clock). `command`: LXC has
 * no start without a running init, so `lxc-execute` starts the container with the workload as
 * its command and runs it to the end in one call: its launch is empty and its execute holds
 * the start.
 */
export function lxcContainer(options: { lxcpath: string; cloneArgs: string[]; cgroupMode: string }, c: ContainerSpec): ContainerPlan {
  const { lxcpath, cloneArgs } = options;
  const at = ['-P', lxcpath, '-n', c.id];
  let initPid: number | null = null;
  const command = c.lifecycle === 'command';
  return {
    create: () => [run('lxc-copy', ['lxc-copy', '-P', lxcpath, '-n', baseContainerName(c.image), '-N', c.id, ...cloneArgs])],
    launch: () => (command ? [] : [run('lxc-start', ['lxc-start', ...at, ...lxcMountDefines(c.mounts ?? []), '-d'])]),
    execute: () => (command
      ? [run('lxc-execute', ['lxc-execute', ...at, ...lxcMountDefines(c.mounts ?? []), '--', ...c.workloadArgv], { exitJudgedElsewhere: true })]
      : [run('lxc-attach', ['lxc-attach', ...at, '--clear-env', '--', ...c.workloadArgv], { exitJudgedElsewhere: true })]),
    stop: () => (command ? [] : [
      run('lxc-stop', ['lxc-stop', ...at, '-k']),
      ...(initPid === null ? [] : [{ kind: 'wait-exit' as const, label: 'init exit', pid: initPid }]),
    ]),
    clean: () => [run('lxc-destroy', ['lxc-destroy', ...at])],
    after(phase) {
      if (phase !== 'launch' || command) return;
      return {
        steps: [run('lxc-info -p', ['lxc-info', ...at, '-p', '-H'])],
        learn(records) {
          const pid = Number.parseInt(records.at(-1)?.stdout.trim() ?? '', 10);
          if (!Number.isInteger(pid) || pid <= 0) throw new CrbenchError('NO_INIT_PID', `lxc-info -n ${c.id} -p gave no init pid: ${records.at(-1)?.stderr.trim() ?? ''}`);
          initPid = pid;
        },
      };
    },
    workloadRun: lastRecord,
    // LXC names a container's cgroup lxc.payload.<name> (its monitor's is lxc.monitor.<name>).
    memoryCgroup: () => lxcMemoryCgroup(options.cgroupMode, c.id, initPid),
    forceRemove: () => [run('lxc-stop -k', ['lxc-stop', ...at, '-k']), run('lxc-destroy -f', ['lxc-destroy', ...at, '-f'])],
  };
}

/**
 * Bind mounts as `-s lxc.mount.entry=SRC DST none bind,create=dir[,ro] 0 0` for lxc-start and
 * lxc-execute: added to the clone's config for this start only (the clone's file stays the
 * base's), the destination relative to the container's root. An fstab line cannot hold a
 * blank, so a path with one is refused.
 */
export function lxcMountDefines(mounts: readonly ContainerMount[]): string[] {
  return mounts.flatMap((mount) => {
    for (const where of [mount.source, mount.destination]) {
      if (/\s/.test(where)) throw new CrbenchError('BAD_MOUNT_PATH', `LXC cannot bind-mount ${JSON.stringify(where)}: an lxc.mount.entry line cannot hold a blank`);
    }
    return ['-s', `lxc.mount.entry=${mount.source} ${mount.destination.replace(/^\/+/, '')} none bind,create=dir${mount.readonly ? ',ro' : ''} 0 0`];
  });
}

/** The lxc-create call that unpacks an image into the group's base container with the backing store. */
export function lxcImportSteps(options: { lxcpath: string; baseArgs: string[]; configPath: string; templatePath: string; image: string; tarballPath: string }): Step[] {
  return [run('lxc-create', ['lxc-create', '-P', options.lxcpath, '-n', baseContainerName(options.image), ...options.baseArgs,
    '-f', options.configPath, '-t', options.templatePath, '--', '--tarball', options.tarballPath])];
}

/** Runs setup commands in order; the first failure throws with what the tool said. */
export async function runAll(what: string, commands: string[][]): Promise<void> {
  for (const [file, ...args] of commands) {
    if (file === undefined) continue;
    const result = await $`${file} ${args}`.quiet().nothrow();
    if (result.exitCode !== 0) {
      throw new CrbenchError('RUNTIME_SETUP_FAILED', `${what}: ${[file, ...args].join(' ')} failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    }
  }
}

/**
 * LXC, with its own lxcpath on the group's volume (`-P`; the host's /var/lib/lxc is never
 * used). Phases (`exec`; lxcContainer says how `command` differs):
 *   create  `lxc-copy -n BASE -N ID [-s] [-B overlayfs]`   launch `lxc-start -n ID -d`
 *   execute `lxc-attach -n ID --clear-env -- <workload>`    stop   `lxc-stop -n ID -k`, wait for the init
 *   clean   `lxc-destroy -n ID`
 * The image is unpacked once per group into a base container (`lxc-create -B <store> -t
 * crbench-unpack`), timed as the import.
 */
export const lxc: RuntimeAdapter = {
  name: 'lxc',
  versionArgv: ['lxc-start', '--version'],
  describePhases(storageDriver, lifecycle: Lifecycle): PhaseTexts {
    const store = lxcBackingStoreOf(storageDriver);
    const at = '-P LXCPATH -n ID';
    const create = `lxc-copy -P LXCPATH -n BASE -N ID${store.cloneArgs.length > 0 ? ` ${store.cloneArgs.join(' ')}` : ''} (${store.describe})`;
    if (lifecycle === 'command') {
      return {
        create,
        launch: 'nothing: LXC cannot start a container without its init, so lxc-execute in execute does the start too',
        execute: `lxc-execute ${at} -- WORKLOAD: starts the container with the workload as its command, runs it to its exit`,
        stop: 'nothing: the workload has exited, and with it the container',
        clean: `lxc-destroy ${at}`,
      };
    }
    return {
      create,
      launch: `lxc-start ${at} -d (returns once the container is RUNNING)`,
      execute: `lxc-attach ${at} --clear-env -- WORKLOAD`,
      stop: `lxc-stop ${at} -k, then wait until the init process has exited`,
      clean: `lxc-destroy ${at}`,
    };
  },
  async openGroup(context: GroupContext): Promise<RuntimeGroup> {
    return openLxcGroup(context, probeLxcHostFacts());
  },
};

/** Opens LXC on a group with the host facts given (the tests give their own). */
export async function openLxcGroup(context: GroupContext, facts: LxcHostFacts): Promise<RuntimeGroup> {
  const store = lxcBackingStoreOf(context.storageDriver);
  const lxcpath = path.join(context.mountpoint, 'lxc');
  const setupDir = path.join(context.mountpoint, 'lxc-setup');
  const templatePath = path.join(setupDir, 'crbench-unpack');
  const configPath = path.join(setupDir, 'base.conf');
  mkdirSync(lxcpath, { recursive: true });
  mkdirSync(setupDir, { recursive: true });
  writeFileSync(templatePath, LXC_UNPACK_TEMPLATE, { mode: 0o755 });
  // Docker's capabilities and seccomp filter in LXC's own terms, as every compared container gets them.
  writeFileSync(configPath, buildLxcConfig({ limits: context.limits, cgroupMode: context.host.cgroupMode, facts, security: writeLxcSecurity(setupDir) }));
  const workarounds = facts.lxcfsRunning ? [] : [LXCFS_HOOKS_WORKAROUND];

  // Recorded before anything is made, and again once the loop device is known.
  const state: RuntimeState = {
    groupId: context.groupId, runtime: 'lxc', commandPrefix: [], stateRoot: lxcpath, namespaceFile: null,
    teardownCommands: lxcTeardownCommands(lxcpath, null),
  };
  recordRuntimeState(context.workDir, state);
  const place: BackingStorePlace = {
    zfsRoot: `${context.poolName}/lxc-rootfs`,
    volumeGroup: volumeGroupName(context.groupId),
  };
  try {
    if (findMount(lxcpath) === undefined) await runAll('making the lxcpath a private mount', privateLxcpathCommands(lxcpath));
    if (store.name === 'zfs') await runAll('making the zfs parent dataset for LXC', zfsRootCommands(place.zfsRoot));
    if (store.name === 'lvm') {
      const device = await attachLvmLoop(context.workDir, context.mountpoint);
      state.teardownCommands = lxcTeardownCommands(lxcpath, { device, volumeGroup: place.volumeGroup });
      recordRuntimeState(context.workDir, state);
      await runAll('making the LVM volume group for LXC', lvmSetupCommands(device, place.volumeGroup));
    }
  } catch (error) {
    await releaseRuntimeState(context.workDir, state);
    throw error;
  }

  return {
    workarounds,
    importImage: (image, tarballPath) => lxcImportSteps({
      lxcpath, baseArgs: store.baseArgs(place, statSync(tarballPath, { throwIfNoEntry: false })?.size ?? 0),
      configPath, templatePath, image, tarballPath,
    }),
    // The container's config is the base's, copied by lxc-copy in the create phase.
    container: (c) => lxcContainer({ lxcpath, cloneArgs: store.cloneArgs, cgroupMode: context.host.cgroupMode }, c),
    close: () => releaseRuntimeState(context.workDir, state),
  };
}
