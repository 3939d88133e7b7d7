import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cgroupParentOf } from '../../../provision/cgroups.ts';
import { recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import { CrbenchError } from '../../errors.ts';
import type { CommandRecord } from '../../types.ts';
import { run, type StepRecord } from '../executor/steps.ts';
import { buildOciConfig } from '../oci-config.ts';
import { STORAGE_DRIVERS, type StorageDriver } from '../storage/index.ts';
import { lastRecord, type ContainerPlan, type ContainerSpec, type GroupContext, type PhaseTexts, type RuntimeAdapter, type RuntimeGroup } from './runtime-adapter.ts';

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
  return {
    name: spec.name,
    versionArgv: [spec.binary, '--version'],
    describePhases(storageDriver, lifecycle): PhaseTexts {
      const storage = storageDriverOf(storageDriver);
      const rt = [spec.name, ...globalFlags, '--root STATE'].join(' ');
      const create = `${storage.describe.prepare}; ${rt} create --bundle BUNDLE --pid-file BUNDLE/init.pid ID`;
      const clean = `${rt} delete ID; ${storage.describe.remove}`;
      if (lifecycle === 'command') {
        return {
          create: `${create} (the bundle's process is the workload, its output to BUNDLE/workload.out and .err)`,
          launch: `${rt} start ID: the workload starts running`,
          execute: 'wait until the workload (the container\'s init; gVisor\'s sandbox, which exits with it) has exited; crbench\'s timer reaps it and has its exit status',
          stop: 'nothing: the workload has exited, and with it the container',
          clean,
        };
      }
      return {
        create: `${create} (the init sleeps)`,
        launch: `${rt} start ID`,
        execute: `${rt} exec ID WORKLOAD`,
        stop: `${rt} kill ID KILL, then wait until the init has exited (crbench's timer reaps it)`,
        clean,
      };
    },
    async openGroup(context): Promise<RuntimeGroup> {
      const storage = storageDriverOf(context.storageDriver);
      const prepared = spec.prepareState !== undefined
        ? await spec.prepareState(context)
        : { commandPrefix: [spec.binary], namespaceFile: null, workarounds: [] };
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
        return {
          prepare() {
            mkdirSync(c.dir, { recursive: true });
            const initArgs = command ? c.workloadArgv : SLEEPING_INIT;
            writeFileSync(path.join(c.dir, 'config.json'), JSON.stringify(buildOciConfig({ hostname: c.id, limits: context.limits, cgroupsPath: `/${cgroupParent}/${c.id}`, initArgs })));
          },
          create: () => [
            ...storage.prepare(volume, imageRootfs(c.image), rootfs),
            run(ociLabel('create'), [...rt, 'create', '--bundle', c.dir, '--pid-file', files.pid, c.id], command ? { stdoutPath: files.stdout, stderrPath: files.stderr } : {}),
          ],
          launch: () => [run(ociLabel('start'), [...rt, 'start', c.id])],
          execute: () => (command
            ? [{ kind: 'wait-exit', label: 'workload exit', pid: initPid ?? -1 }]
            : [run(ociLabel('exec'), [...rt, 'exec', c.id, ...c.workloadArgv], { exitJudgedElsewhere: true })]),
          // The kill may find the init gone (gVisor's sandbox dies with a workload that broke a limit): the wait that follows judges.
          stop: () => (command ? [] : [run(ociLabel('kill'), [...rt, 'kill', c.id, 'KILL'], { exitJudgedElsewhere: true }), { kind: 'wait-exit', label: 'init exit', pid: initPid ?? -1 }]),
          clean: () => [run(ociLabel('delete'), [...rt, 'delete', c.id]), ...storage.remove(volume, rootfs)],
          after(phase) {
            if (phase === 'create') initPid = readPidFile(files.pid, spec.name, c.id);
          },
          workloadRun: (records) => (command ? commandWorkloadRun(c, records, files) : lastRecord(records)),
          // The bundle names the cgroup (cgroupsPath), so every OCI runtime puts it in the same place.
          memoryCgroup: () => path.join(context.host.cgroupMode === 'v2' ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory', cgroupParent, c.id),
          forceRemove: () => [run(ociLabel('delete --force'), [...rt, 'delete', '--force', c.id]), ...storage.remove(volume, rootfs)],
        };
      };
      return {
        workarounds: prepared.workarounds,
        importImage: (image, tarballPath) => storage.importImage(volume, tarballPath, imageRootfs(image)),
        container,
        close: () => releaseRuntimeState(context.workDir, state),
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
