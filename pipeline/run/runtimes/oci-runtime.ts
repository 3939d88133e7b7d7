import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cgroupParentOf } from '../../../provision/cgroups.ts';
import { readMounts } from '../../../provision/mounts.ts';
import { cgroupHierarchies, cgroupReturnSteps, type CgroupLimits, type CgroupMember } from '../../../provision/pools/cgroup-pool.ts';
import { openGroupPools, type GroupPools } from '../../../provision/pools/group-pools.ts';
import { judgeNetnsLinks, NETNS_CHECK_LABEL, netnsCheckStep, netnsReplaceStep, type PoolStep } from '../../../provision/pools/netns-pool.ts';
import { recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import { CrbenchError } from '../../errors.ts';
import type { CommandRecord } from '../../types.ts';
import { run, type Step, type StepRecord } from '../executor/steps.ts';
import type { ContainerLimits } from '../limits.ts';
import { applyContainerLevers, buildOciConfig, CPU_PERIOD_US, type ContainerLevers } from '../oci-config.ts';
import { OCI_EXEC_SECURITY_FLAGS } from '../security/runtime-options.ts';
import { STORAGE_DRIVERS, type StorageDriver } from '../storage/index.ts';
import { lastRecord, type AfterPhase, type ContainerPlan, type ContainerSpec, type GroupContext, type PhaseTexts, type RuntimeAdapter, type RuntimeGroup } from './runtime-adapter.ts';

function storageDriverOf(name: string): StorageDriver {
  const driver = STORAGE_DRIVERS[name];
  if (driver === undefined) throw new CrbenchError('UNKNOWN_STORAGE_DRIVER', `no pipeline storage driver named '${name}'`);
  return driver;
}

/** The init of the `exec` shape: it only sleeps until killed; the workload is exec'd into it. */
export const SLEEPING_INIT = ['/bin/sleep', '86400'];

/** What a runtime adds to the shared OCI adapter. */
export interface OciRuntimeSpec {
  name: string;
  binary: string;
  /** Flags between the binary and the subcommand, beside `--root`. */
  globalFlags?: string[];
  /** A prefix (a namespace) the runtime's commands run behind on this host, and why. */
  prepareState?: (context: GroupContext) => Promise<{ commandPrefix: string[]; namespaceFile: string | null; workarounds: string[] }>;
}

/** The files of a container's bundle beside config.json. */
const bundleFiles = (dir: string) => ({ pid: path.join(dir, 'init.pid'), stdout: path.join(dir, 'workload.out'), stderr: path.join(dir, 'workload.err') });

/**
 * The runc command-line interface, which crun and runsc share. The pipeline prepares the root
 * filesystem itself with a storage driver (copy, overlay, snapshots). Phases, `exec` shape:
 *   create  <driver prepare>; `<rt> create --bundle B --pid-file B/init.pid ID` (init: sleep)
 *   launch  `<rt> start ID`                     execute `<rt> exec ID <workload>`
 *   stop    `<rt> kill ID KILL`, wait for the init's exit (the executor reaps it)
 *   clean   `<rt> delete ID`; <driver remove>
 * `command` shape: the bundle's process is the workload, its output in files of the bundle;
 * execute waits for its exit; stop has nothing to do; clean deletes the stopped container.
 */
export function ociRuntime(spec: OciRuntimeSpec): RuntimeAdapter {
  const globalFlags = spec.globalFlags ?? [];
  // crun 1.8's exec ignores the config's noNewPrivileges unless told (runc's inherits it).
  const execFlags = OCI_EXEC_SECURITY_FLAGS[spec.name] ?? [];
  return {
    name: spec.name,
    versionArgv: [spec.binary, '--version'],
    describePhases(storageDriver, lifecycle): PhaseTexts {
      const storage = storageDriverOf(storageDriver);
      const rt = [spec.name, ...globalFlags, '--root STATE'].join(' ');
      const create = `${storage.describe.prepare}; ${rt} create --bundle BUNDLE --pid-file BUNDLE/init.pid ID`;
      const levers = leverClausesOf(spec.name);
      const clean = `${rt} delete ID; ${storage.describe.remove}${levers.clean}`;
      if (lifecycle === 'command') {
        return {
          create: `${create} (the bundle's process is the workload, its output to BUNDLE/workload.out and .err)${levers.create}`,
          launch: `${rt} start ID: the workload starts running`,
          execute: 'wait until the workload (the container\'s init; gVisor\'s sandbox, which exits with it) has exited; crbench\'s timer reaps it and has its exit status',
          stop: 'nothing: the workload has exited, and with it the container',
          clean,
        };
      }
      return {
        create: `${create} (the init sleeps)${levers.create}`,
        launch: `${rt} start ID`,
        execute: `${rt} exec ${execFlags.length > 0 ? `${execFlags.join(' ')} ` : ''}ID WORKLOAD`,
        stop: `${rt} kill ID KILL, then wait until the init has exited (crbench's timer reaps it)`,
        clean,
      };
    },
    async openGroup(context): Promise<RuntimeGroup> {
      const storage = storageDriverOf(context.storageDriver);
      // Before the runtime's own mount namespace (crun's): the pool's shared directory must be in it.
      const pools = await openPoolsOf(context);
      const prepared = await (spec.prepareState !== undefined
        ? spec.prepareState(context)
        : Promise.resolve({ commandPrefix: [spec.binary], namespaceFile: null, workarounds: [] })).catch(async (error: unknown) => {
        await pools.release();
        throw error;
      });
      const stateRoot = path.join(context.mountpoint, 'state', spec.name);
      mkdirSync(stateRoot, { recursive: true });
      const state: RuntimeState = { groupId: context.groupId, runtime: spec.name, stateRoot, ...prepared, commandPrefix: [...prepared.commandPrefix, ...globalFlags] };
      recordRuntimeState(context.workDir, state);
      const rt = [...state.commandPrefix, '--root', stateRoot];
      const imageRootfs = (image: string) => path.join(context.mountpoint, 'images', image, 'rootfs');
      const volume = { mountpoint: context.mountpoint, poolName: context.poolName };
      const cgroupParent = `${cgroupParentOf(context.workDir)}/${context.groupId}`;
      const container = (c: ContainerSpec): ContainerPlan => {
        const rootfs = path.join(c.dir, 'rootfs');
        const files = bundleFiles(c.dir);
        let initPid: number | null = null;
        const command = c.lifecycle === 'command';
        const ociLabel = (subcommand: string) => `${spec.name} ${subcommand}`;
        const hold = poolHold(pools, c);
        const cgroupsPath = () => hold.cgroupsPath() ?? `/${cgroupParent}/${c.id}`;
        return {
          prepare() {
            mkdirSync(c.dir, { recursive: true });
            const initArgs = command ? c.workloadArgv : SLEEPING_INIT;
            const levers = { ...hold.take(), ...(storage.bundle !== undefined ? { rootfs: storage.bundle(rootfs) } : {}) };
            const config = buildOciConfig({ hostname: c.id, limits: context.limits, cgroupsPath: cgroupsPath(), initArgs, ...(c.mounts !== undefined ? { mounts: c.mounts } : {}) });
            writeFileSync(path.join(c.dir, 'config.json'), JSON.stringify(applyContainerLevers(config, levers)));
          },
          create: () => [
            ...storage.prepare(volume, imageRootfs(c.image), rootfs),
            run(ociLabel('create'), [...rt, 'create', '--bundle', c.dir, '--pid-file', files.pid, c.id], command ? { stdoutPath: files.stdout, stderrPath: files.stderr } : {}),
          ],
          launch: () => [run(ociLabel('start'), [...rt, 'start', c.id])],
          execute: () => (command
            ? [{ kind: 'wait-exit', label: 'workload exit', pid: initPid ?? -1 }]
            : [run(ociLabel('exec'), [...rt, 'exec', ...execFlags, c.id, ...c.workloadArgv], { exitJudgedElsewhere: true })]),
          // The kill may find the init gone (gVisor's sandbox dies with a workload that broke a limit): the wait that follows judges.
          stop: () => (command ? [] : [run(ociLabel('kill'), [...rt, 'kill', c.id, 'KILL'], { exitJudgedElsewhere: true }), { kind: 'wait-exit', label: 'init exit', pid: initPid ?? -1 }]),
          clean: () => [run(ociLabel('delete'), [...rt, 'delete', c.id]), ...storage.remove(volume, rootfs), ...hold.cleanSteps()],
          after(phase, records) {
            if (phase === 'create') initPid = readPidFile(files.pid, spec.name, c.id);
            if (phase === 'clean') return hold.giveBack(records);
            return undefined;
          },
          workloadRun: (records) => (command ? commandWorkloadRun(c, records, files) : lastRecord(records)),
          // The bundle names the cgroup (cgroupsPath), so every OCI runtime puts it in the same place.
          memoryCgroup: () => path.join(context.host.cgroupMode === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory', cgroupsPath()),
          forceRemove: () => [run(ociLabel('delete --force'), [...rt, 'delete', '--force', c.id]), ...storage.remove(volume, rootfs), ...hold.forceGiveBack()],
        };
      };
      return {
        workarounds: prepared.workarounds,
        importImage: (image, tarballPath) => storage.importImage(volume, tarballPath, imageRootfs(image)),
        container,
        close: async () => {
          await releaseRuntimeState(context.workDir, state);
          await pools.release();
        },
      };
    },
  };
}

/** The init's pid from the file `create --pid-file` wrote: read after the phase, outside the clock. */
function readPidFile(file: string, runtime: string, id: string): number {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CrbenchError('NO_INIT_PID', `${runtime} create ${id} wrote no pid file ${file}: ${(error as Error).message}`);
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) throw new CrbenchError('NO_INIT_PID', `${runtime} create ${id} wrote ${JSON.stringify(text.slice(0, 40))} as the init's pid`);
  return pid;
}

/** The `command` shape's workload: its exit from the wait, its output from the bundle's files. */
function commandWorkloadRun(c: ContainerSpec, records: readonly StepRecord[], files: ReturnType<typeof bundleFiles>): CommandRecord {
  const waited = records.at(-1);
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    argv: [`${c.id}:`, ...c.workloadArgv], durationMs: waited?.durationMs ?? 0, exitCode: waited?.exitCode ?? null, signal: waited?.signal ?? null,
    stdout: read(files.stdout), stderr: read(files.stderr),
  };
}

/**
 * What the matrix's levers change in create and clean, for the report's command list: runc and
 * crun only (plan/feasibility.ts AXIS_VALUE_SUPPORT: runsc's cells with them are never planned).
 */
export function leverClausesOf(runtime: string): { create: string; clean: string } {
  return ['runc', 'crun'].includes(runtime) ? LEVER_CLAUSES : { create: '', clean: '' };
}

export const LEVER_CLAUSES = {
  create: ' [netns reused: the bundle joins a pre-made, empty namespace of the group\'s pool by its path instead of making one; ' +
    'netns host: the bundle has no network namespace, so the container shares the host\'s network, which breaks isolation; ' +
    'cgroup reused: cgroupsPath names a pre-made cgroup of the pool with its limits written, and the runtime is asked to write none]',
  clean: ' [netns reused: ip -o link inside the namespace must show only a down lo before it goes back to the pool; ' +
    'cgroup reused: runc and crun remove the cgroup they were handed, so it is re-created and its limits written again]',
};

/** The limits a pooled cgroup holds: those the OCI config gives a fresh one (swap: none beyond the memory). */
export function cgroupLimitsOf(limits: ContainerLimits): CgroupLimits {
  return { memoryBytes: limits.memoryBytes, memoryAndSwapBytes: limits.memoryBytes, pids: limits.pids, cpuQuotaUs: Math.round(limits.cpus * CPU_PERIOD_US), cpuPeriodUs: CPU_PERIOD_US };
}

/** The group's pools, as many members as its cells hold at once (none when no cell reuses anything). */
function openPoolsOf(context: GroupContext): Promise<GroupPools> {
  const demand = context.pools ?? { netns: 0, cgroup: 0 };
  return openGroupPools({
    workDir: context.workDir, groupId: context.groupId, demand, cgroupParent: cgroupParentOf(context.workDir),
    // Every hierarchy, cgroup2 included: crun's namespace cannot see that one and leaves it alone, which the pool tolerates.
    hierarchies: demand.cgroup > 0 ? cgroupHierarchies(readMounts(), { cgroup2: true }) : [], limits: cgroupLimitsOf(context.limits),
  });
}

/**
 * One container's hold on the group's pools: what it takes in prepare (in-process, untimed,
 * each member checked first), the labelled clean steps that give it back (timed: they are what
 * reuse costs), and the bookkeeping after clean. A namespace whose check fails is replaced,
 * outside the clock, and fails the repetition; after a failed repetition both members are
 * emptied (re-created, replaced) untimed and given back, and the next take checks them again.
 */
function poolHold(pools: GroupPools, c: ContainerSpec) {
  let netns: string | null = null;
  let cgroup: CgroupMember | null = null;
  const step = (poolStep: PoolStep): Step => run(poolStep.label, poolStep.argv);
  const noPool = (what: string) => new CrbenchError('NO_POOL', `${c.id} reuses a ${what}, but its group has no pool of them: only runc and crun groups get one`);
  return {
    take(): ContainerLevers {
      if (c.netns === 'reused') {
        if (pools.netns === null) throw noPool('network namespace');
        netns = pools.netns.take(c.id);
      }
      if (c.cgroup === 'reused') {
        if (pools.cgroup === null) throw noPool('cgroup');
        cgroup = pools.cgroup.take(c.id);
      }
      const network: ContainerLevers['netns'] = netns !== null ? { mode: 'reused', path: netns } : c.netns === 'host' ? { mode: 'host' } : undefined;
      return { ...(network !== undefined ? { netns: network } : {}), ...(cgroup !== null ? { limitsInCgroup: true } : {}) };
    },
    cgroupsPath: (): string | null => cgroup?.cgroupsPath ?? null,
    cleanSteps: (): Step[] => [...(cgroup !== null ? cgroupReturnSteps(cgroup).map(step) : []), ...(netns !== null ? [step(netnsCheckStep(netns))] : [])],
    giveBack(records: readonly StepRecord[]): AfterPhase | undefined {
      if (cgroup !== null) pools.cgroup?.giveBack(cgroup, c.id);
      cgroup = null;
      const file = netns;
      if (file === null) return undefined;
      const check = records.find((record) => record.label === NETNS_CHECK_LABEL);
      const unclean = check === undefined ? 'its check did not run' : judgeNetnsLinks(check.stdout);
      if (unclean === undefined) {
        pools.netns?.giveBack(file, c.id);
        netns = null;
        return undefined;
      }
      return {
        steps: [step(netnsReplaceStep(file))],
        learn() {
          pools.netns?.giveBack(file, c.id);
          netns = null;
          throw new CrbenchError('NETNS_NOT_EMPTY', `the pooled network namespace ${file} was not empty after ${c.id}: ${unclean}; it was replaced by a new one`);
        },
      };
    },
    forceGiveBack(): Step[] {
      const steps = [...(cgroup !== null ? cgroupReturnSteps(cgroup).map(step) : []), ...(netns !== null ? [step(netnsReplaceStep(netns))] : [])];
      if (cgroup !== null) pools.cgroup?.giveBack(cgroup, c.id);
      if (netns !== null) pools.netns?.giveBack(netns, c.id);
      cgroup = null;
      netns = null;
      return steps;
    },
  };
}
