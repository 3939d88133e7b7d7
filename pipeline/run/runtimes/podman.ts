import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { cleanUpCommand, type CleanUpSpec } from '../../../provision/daemons/clean-up.ts';
import { groupKey } from '../../../provision/daemons/dockerd.ts';
import { absentHostPaths, cleanUpLeftovers } from '../../../provision/daemons/leftovers.ts';
import { namespaceFileOf, recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import { cgroupParentOf } from '../../../provision/cgroups.ts';
import { assertUnderWorkDir, workPaths } from '../../../provision/work-dir.ts';
import { CrbenchError } from '../../errors.ts';
import { splitRuntime, type HostFacts, type Lifecycle } from '../../types.ts';
import { run, type Step } from '../executor/steps.ts';
import { DEFAULT_LIMITS, type ContainerLimits } from '../limits.ts';
import { podmanSecurityArgs } from '../security/runtime-options.ts';
import { cliContainer, describeCliPhases, limitFlags } from './docker-common.ts';
import { prepareEngineOci } from './oci-behind-engine.ts';
import type { ContainerPlan, ContainerSpec, GroupContext, PhaseTexts, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';

/**
 * Podman through its command line, daemonless: every command is a process of its own that
 * opens the group's store on the volume, and conmon watches each running container. The
 * life cycle is docker-cli's (docker-common.ts), in both shapes:
 *
 *   import   podman import TARBALL localhost/crbench/IMAGE:latest
 *   create   podman create --name ID --cgroup-parent /CGROUP/GROUP <limits> IMAGE (sleep | WORKLOAD)
 *   launch   podman start ID;  exec: podman exec, kill + wait;  command: podman wait + logs
 *   clean    podman rm -f -v ID
 *
 * Isolation from the host's Podman: `env CONTAINERS_CONF=… CONTAINERS_STORAGE_CONF=…
 * CONTAINERS_REGISTRIES_CONF=…` makes podman read our files only (no /etc/containers,
 * /usr/share/containers or ~/.config for its engine and store; only the short-name aliases
 * of /etc/containers/registries.conf.d are still read, and never used: images are fully
 * qualified), and the global flags say the rest explicitly: store (`--root`) on the group's
 * volume, run root, tmp dir, hooks and network config below the work directory,
 * `--storage-opt=` so no STORAGE_OPTS of the environment applies. An import costs one
 * exec of `env` more per command than a bare podman (about a millisecond).
 *
 * After a crash, teardown runs `podman rm --all --force` with the same flags, then kills
 * whatever is left in the group's cgroup (conmon sits in its `conmon` child) or names the
 * group's state, and unmounts the store's mounts (see provision/daemons/dockerd.ts).
 */

export interface PodmanPaths {
  stateDir: string;
  runRoot: string;
  tmpDir: string;
  hooksDir: string;
  networkConfigDir: string;
  containersConf: string;
  storageConf: string;
  registriesConf: string;
  /** The store: images, layers and libpod's database, on the group's volume. */
  root: string;
  volumePath: string;
  /** TMPDIR of the import, on the volume like Docker's. */
  importTmpDir: string;
  cgroupParent: string;
}

/** podman refuses a run root longer than this ("the specified runroot is longer than 50 characters"). */
export const MAX_RUNROOT_CHARS = 50;

/**
 * The group's podman state lives in the work directory's short `ns/` folder (which teardown
 * empties too), because podman refuses a run root of more than 50 characters.
 */
export function podmanPaths(workDir: string, groupId: string, mountpoint: string): PodmanPaths {
  const key = groupKey(groupId);
  const stateDir = path.join(workPaths(workDir).namespaces, `pm-${key.slice(0, 8)}`);
  return {
    stateDir,
    runRoot: path.join(stateDir, 'run'),
    tmpDir: path.join(stateDir, 'tmp'),
    hooksDir: path.join(stateDir, 'hooks'),
    networkConfigDir: path.join(stateDir, 'net'),
    containersConf: path.join(stateDir, 'containers.conf'),
    storageConf: path.join(stateDir, 'storage.conf'),
    registriesConf: path.join(stateDir, 'registries.conf'),
    root: path.join(mountpoint, 'podman', 'root'),
    volumePath: path.join(mountpoint, 'podman', 'volumes'),
    importTmpDir: path.join(mountpoint, 'podman', 'tmp'),
    cgroupParent: `${cgroupParentOf(workDir)}/${groupId}`,
  };
}

/**
 * Host paths podman makes whatever its flags, deepest first: the shared-memory lock segment,
 * containers/image's blob info cache (written by an import), and runc's default state root
 * (podman does not pass `--root` to runc; giving it one through --runtime-flag leaves stale
 * states, because conmon's clean-up command does not get the flag).
 */
export const PODMAN_HOST_PATHS = [
  '/dev/shm/libpod_lock',
  '/var/lib/containers/cache/blob-info-cache-v1.boltdb', '/var/lib/containers/cache', '/var/lib/containers',
  '/run/runc',
];

export const PODMAN_HYBRID_WORKAROUND =
  'podman\'s default runtime crun refuses hybrid cgroups ("drop all controllers from cgroupv2"): podman ran with --runtime runc';

/** The global flags of every podman command of a group. */
export function podmanGlobalFlags(paths: PodmanPaths, storageDriver: string, cgroupMode: HostFacts['cgroupMode'], runtime: { path: string; flags: string[] } | null = null): string[] {
  return [
    '--root', paths.root,
    '--runroot', paths.runRoot,
    '--tmpdir', paths.tmpDir,
    '--storage-driver', storageDriver,
    '--storage-opt=',
    '--cgroup-manager', 'cgroupfs',
    '--events-backend', 'file',
    '--hooks-dir', paths.hooksDir,
    '--network-config-dir', paths.networkConfigDir,
    '--volumepath', paths.volumePath,
    ...(runtime !== null ? ['--runtime', runtime.path, ...runtime.flags.map((flag) => `--runtime-flag=${flag.replace(/^--/, '')}`)]
      : cgroupMode === 'hybrid' ? ['--runtime', 'runc'] : []),
  ];
}

/** `env CONTAINERS_CONF=… … podman <global flags>`: the prefix of every command. */
export function podmanPrefix(paths: PodmanPaths, storageDriver: string, cgroupMode: HostFacts['cgroupMode'], runtime: { path: string; flags: string[] } | null = null): string[] {
  return [
    'env', `CONTAINERS_CONF=${paths.containersConf}`, `CONTAINERS_STORAGE_CONF=${paths.storageConf}`,
    `CONTAINERS_REGISTRIES_CONF=${paths.registriesConf}`,
    'podman', ...podmanGlobalFlags(paths, storageDriver, cgroupMode, runtime),
  ];
}

/** The configuration files podman reads instead of the host's: the same settings as the flags. */
export function podmanConfigFiles(paths: PodmanPaths, storageDriver: string): Record<string, string> {
  const toml = (value: string): string => JSON.stringify(value);
  return {
    [paths.containersConf]: [
      '# crbench: podman reads this file only (CONTAINERS_CONF); the command line says the rest.',
      '[containers]', 'log_driver = "k8s-file"',
      '[engine]', 'cgroup_manager = "cgroupfs"', 'events_logger = "file"', `tmp_dir = ${toml(paths.tmpDir)}`,
      `static_dir = ${toml(path.join(paths.root, 'libpod'))}`, `volume_path = ${toml(paths.volumePath)}`, `hooks_dir = [${toml(paths.hooksDir)}]`,
      '[network]', `network_config_dir = ${toml(paths.networkConfigDir)}`, '',
    ].join('\n'),
    [paths.storageConf]: [
      '# crbench: the group\'s store, on its volume (CONTAINERS_STORAGE_CONF); no options, no additional image stores.',
      '[storage]', `driver = ${toml(storageDriver)}`, `graphroot = ${toml(paths.root)}`, `runroot = ${toml(paths.runRoot)}`, '',
    ].join('\n'),
    [paths.registriesConf]: ['# crbench: no registry is ever asked; images are imported as localhost/crbench/*.', 'unqualified-search-registries = []', ''].join('\n'),
  };
}

/** What this process may set: its hard limits, and whether it holds CAP_SYS_RESOURCE. */
export interface ProcessLimits {
  nofileHard: number;
  nprocHard: number;
  capSysResource: boolean;
}

export function readProcessLimits(): ProcessLimits {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const hard = (label: string): number => {
    const value = limits.split('\n').find((line) => line.startsWith(label))?.slice(label.length).trim().split(/\s+/)[1];
    return value === undefined || value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value);
  };
  const capEff = readFileSync('/proc/self/status', 'utf8').match(/^CapEff:\s*([0-9a-f]+)/m)?.[1] ?? '0';
  const CAP_SYS_RESOURCE = 24n;
  return { nofileHard: hard('Max open files'), nprocHard: hard('Max processes'), capSysResource: ((BigInt(`0x${capEff}`) >> CAP_SYS_RESOURCE) & 1n) === 1n };
}

/** podman 4.3 asks runc for these in every container, and runs itself with NPROC 32768. */
const PODMAN_DEFAULT_RLIMIT = 1_048_576;
const PODMAN_OWN_NPROC = 32_768;

/**
 * Without CAP_SYS_RESOURCE, runc cannot give a container more than the hard limits it
 * inherits, and podman's defaults (nofile and nproc 1048576) exceed them: the container
 * never starts ("error setting rlimit type 7/6"). Then every container gets the largest
 * limits it can have: nofile at this process's hard limit, nproc at podman's own.
 */
export function podmanUlimits(limits: ProcessLimits): { flags: string[]; workaround?: string } {
  if (limits.capSysResource) return { flags: [] };
  const nofile = Math.min(limits.nofileHard, PODMAN_DEFAULT_RLIMIT);
  const nproc = Math.min(limits.nprocHard, PODMAN_OWN_NPROC);
  return {
    flags: ['--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`],
    workaround: `without CAP_SYS_RESOURCE runc cannot raise a container's rlimits to podman's defaults (${PODMAN_DEFAULT_RLIMIT}), ` +
      `so every podman container got --ulimit nofile=${nofile}:${nofile} (this shell's hard limit) and --ulimit nproc=${nproc}:${nproc} (podman's own)`,
  };
}

/** A podman image in the group's store: fully qualified, so no short-name resolution. */
export function podmanImageRef(image: string): string {
  return `localhost/crbench/${image}:latest`;
}

/** The steps of a group for one prefix: pure, so tests can read the argv. */
export function podmanSteps(prefix: string[], options: { paths: PodmanPaths; limits: ContainerLimits; ulimitFlags: string[]; securityArgs?: readonly string[] }) {
  const createFlags = ['--cgroup-parent', `/${options.paths.cgroupParent}`, ...limitFlags(options.limits), ...options.ulimitFlags, ...(options.securityArgs ?? []), '--log-driver', 'k8s-file'];
  const [env = 'env', ...rest] = prefix;
  return {
    importImage: (image: string, tarballPath: string): Step[] => [
      run('import: mkdir', ['mkdir', '-p', options.paths.importTmpDir]),
      run('podman import', [env, `TMPDIR=${options.paths.importTmpDir}`, ...rest, 'import', '--quiet', tarballPath, podmanImageRef(image)]),
    ],
    container: (c: ContainerSpec): ContainerPlan => cliContainer({ cli: prefix, tool: 'podman', createFlags, imageRef: podmanImageRef(c.image) }, c),
    /** Whatever a crash left: every container, force-removed (conmon exits with it). */
    removeAll: (): string[] => [...prefix, 'rm', '--all', '--force', '--time', '0'],
  };
}

export function describePodmanPhases(storageDriver: string, lifecycle: Lifecycle, runtime: string | null, limits: ContainerLimits = DEFAULT_LIMITS): PhaseTexts {
  const ulimits = podmanUlimits(readProcessLimits()).flags;
  const flags = ['--cgroup-parent /CGROUP/GROUP', ...limitFlags(limits), ...ulimits, '--log-driver k8s-file'].join(' ');
  const where = `GLOBALS = --root VOLUME/podman/root --runroot STATE/run --tmpdir STATE/tmp --storage-driver ${storageDriver} --storage-opt= ` +
    `--cgroup-manager cgroupfs --events-backend file --hooks-dir STATE/hooks --network-config-dir STATE/net --volumepath VOLUME/podman/volumes ` +
    `--runtime ${runtime ?? 'runc (crun, podman\'s default, refuses hybrid cgroups)'}, behind env CONTAINERS_CONF=… CONTAINERS_STORAGE_CONF=… CONTAINERS_REGISTRIES_CONF=…; no daemon`;
  return describeCliPhases('podman GLOBALS', flags, where, storageDriver, lifecycle === 'command');
}

export const podman: RuntimeAdapter = {
  name: 'podman',
  versionArgv: ['podman', '--version'],
  describePhases: (storageDriver, lifecycle, runtime) => describePodmanPhases(storageDriver, lifecycle, splitRuntime(runtime).oci),
  async openGroup(context: GroupContext): Promise<RuntimeGroup> {
    const { workDir, groupId } = context;
    const paths = podmanPaths(workDir, groupId, context.mountpoint);
    assertUnderWorkDir(workDir, paths.stateDir, 'keep podman state in');
    if (paths.runRoot.length > MAX_RUNROOT_CHARS) {
      throw new CrbenchError('RUNROOT_TOO_LONG',
        `podman's run root ${paths.runRoot} is ${paths.runRoot.length} characters, podman allows ${MAX_RUNROOT_CHARS}; point CRBENCH_WORK_DIR at a shorter directory`);
    }
    const { oci: ociName } = splitRuntime(context.runtime);
    mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
    // The namespace crun's wrapper may need is recorded before it is made; the full record follows.
    recordRuntimeState(workDir, { groupId, runtime: 'podman', commandPrefix: [], stateRoot: paths.runRoot, namespaceFile: namespaceFileOf(workDir, `${groupId}.oci`), teardownCommands: [] });
    const oci = await prepareEngineOci({ host: context.host, workDir, groupId, stateDir: paths.stateDir, oci: ociName, crunWrapper: 'unshare' });
    const prefix = podmanPrefix(paths, context.storageDriver, context.host.cgroupMode, oci.selected);
    const ulimits = podmanUlimits(readProcessLimits());
    const steps = podmanSteps(prefix, { paths, limits: context.limits, ulimitFlags: ulimits.flags, securityArgs: podmanSecurityArgs() });
    const spec: CleanUpSpec = {
      kind: 'leftovers', workDir, stateDir: paths.stateDir, cgroupParent: paths.cgroupParent,
      processRoots: [paths.stateDir, paths.root], mountRoots: [paths.root, paths.stateDir],
      createdHostPaths: absentHostPaths(PODMAN_HOST_PATHS),
    };
    // Recorded before anything exists; after a crash, teardown removes every container
    // through podman itself, then kills what is left in the group's cgroup (conmon too).
    const state: RuntimeState = {
      groupId, runtime: 'podman', commandPrefix: prefix, stateRoot: paths.runRoot, namespaceFile: oci.namespaceFile,
      teardownCommands: [steps.removeAll(), cleanUpCommand(spec)],
    };
    recordRuntimeState(workDir, state);
    for (const dir of [paths.runRoot, paths.tmpDir, paths.hooksDir, paths.networkConfigDir, paths.root, paths.volumePath]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    for (const [file, text] of Object.entries(podmanConfigFiles(paths, context.storageDriver))) writeFileSync(file, text);
    const workarounds = [
      ...(context.host.cgroupMode === 'hybrid' && oci.selected === null ? [PODMAN_HYBRID_WORKAROUND] : []),
      ...oci.workarounds,
      ...(ulimits.workaround !== undefined ? [ulimits.workaround] : []),
    ];
    return {
      workarounds,
      importImage: steps.importImage,
      container: steps.container,
      async close() {
        await $`${steps.removeAll()}`.nothrow().quiet();
        await $`${[...prefix, 'rmi', '--all', '--force']}`.nothrow().quiet();
        const problems = await cleanUpLeftovers(spec);
        await releaseRuntimeState(workDir, { ...state, teardownCommands: [] });
        if (problems.length > 0) {
          throw new CrbenchError('CLEANUP_INCOMPLETE', `podman group ${groupId} left something behind: ${problems.join('; ')}; run 'crbench teardown'`);
        }
      },
    };
  },
};
