import type { CommandRecord } from '../../types.ts';
import { run, type Step, type StepRecord } from '../executor/steps.ts';
import { DEFAULT_LIMITS, type ContainerLimits } from '../limits.ts';
import { SLEEPING_INIT } from './oci-runtime.ts';
import { lastRecord, type ContainerMount, type ContainerPlan, type ContainerSpec } from './runtime-adapter.ts';

/**
 * What docker, docker-cli and podman share: the two shapes of a container on an engine.
 * `exec`: a sleeping init, the workload exec'd into it, the init killed. `command`
 * (INGInious's way): the container's command is the workload (create → start → wait → logs →
 * remove), and stop has nothing left to do.
 */

/** The `command` shape's stop: the workload has exited, and with it the container. */
export const COMMAND_STOP: Step[] = [];

/**
 * The workload as it ran in the container, for the workload check: its exit code and its
 * output. Its argv is `<container>: <workload…>`, since it is no command crbench ran itself.
 */
export function workloadRecord(container: ContainerSpec, exitCode: number, stdout: string, stderr: string, durationMs: number): CommandRecord {
  return { argv: [`${container.id}:`, ...container.workloadArgv], durationMs, exitCode, signal: null, stdout, stderr };
}

/** `--network none --memory 268435456b --memory-swap 268435456b --pids-limit 256 --cpus 1`: the limits as docker and podman take them. */
export function limitFlags(limits: ContainerLimits = DEFAULT_LIMITS): string[] {
  return ['--network', limits.network, '--memory', `${limits.memoryBytes}b`, '--memory-swap', `${limits.memoryBytes}b`, '--pids-limit', String(limits.pids), '--cpus', String(limits.cpus)];
}

/** `-v SRC:DST[:ro]` per bind mount, as docker and podman take them. */
export function volumeFlags(mounts: readonly ContainerMount[]): string[] {
  return mounts.flatMap((mount) => ['-v', `${mount.source}:${mount.destination}${mount.readonly ? ':ro' : ''}`]);
}

/** `command`: `<cli> wait` printed the exit code, `<cli> logs` the output. */
function cliCommandRun(container: ContainerSpec, records: readonly StepRecord[]): CommandRecord {
  const [wait, logs] = records;
  const printed = wait?.stdout.trim().split('\n').at(-1) ?? '';
  if (!/^-?\d+$/.test(printed)) throw new Error(`expected an exit code from wait, got ${JSON.stringify((wait?.stdout ?? '').slice(0, 200))}`);
  return workloadRecord(container, Number(printed), logs?.stdout ?? '', logs?.stderr ?? '', (wait?.durationMs ?? 0) + (logs?.durationMs ?? 0));
}

/**
 * The life cycle of one container through an engine's command line (docker, podman): `cli` is
 * the prefix of every command, `createFlags` what `create` adds (limits, runtime), `tool` the
 * label's first word.
 *   create   <cli> create --name ID FLAGS IMAGE (sleep | WORKLOAD)     launch  <cli> start ID
 *   exec:    execute <cli> exec ID WORKLOAD    stop <cli> kill ID; <cli> wait ID
 *   command: execute <cli> wait ID; <cli> logs ID     stop nothing
 *   clean    <cli> rm -f -v ID
 */
export function cliContainer(options: { cli: string[]; tool: string; createFlags: string[]; imageRef: string }, c: ContainerSpec): ContainerPlan {
  const { cli, tool } = options;
  const command = c.lifecycle === 'command';
  return {
    create: () => [run(`${tool} create`, [...cli, 'create', '--name', c.id, ...options.createFlags, ...volumeFlags(c.mounts ?? []), options.imageRef, ...(command ? c.workloadArgv : SLEEPING_INIT)])],
    launch: () => [run(`${tool} start`, [...cli, 'start', c.id])],
    execute: () => (command
      ? [run(`${tool} wait`, [...cli, 'wait', c.id]), run(`${tool} logs`, [...cli, 'logs', c.id])]
      : [run(`${tool} exec`, [...cli, 'exec', c.id, ...c.workloadArgv], { exitJudgedElsewhere: true })]),
    stop: () => (command ? COMMAND_STOP : [run(`${tool} kill`, [...cli, 'kill', c.id]), run(`${tool} wait`, [...cli, 'wait', c.id])]),
    clean: () => [run(`${tool} rm`, [...cli, 'rm', '-f', '-v', c.id])],
    workloadRun: (records) => (command ? cliCommandRun(c, records) : lastRecord(records)),
    forceRemove: () => [run(`${tool} rm --force`, [...cli, 'rm', '-f', '-v', c.id])],
  };
}

/** The phase texts of the command-line engines, per shape. */
export function describeCliPhases(cli: string, createFlags: string, where: string, storageDriver: string, command: boolean) {
  const clean = `${cli} rm -f -v ID: the engine unmounts and deletes the container's ${storageDriver} layer`;
  if (command) {
    return {
      create: `${cli} create --name ID ${createFlags} IMAGE WORKLOAD (${where}): the workload is the container's command, as INGInious runs a grading container`,
      launch: `${cli} start ID: the workload starts running`,
      execute: `${cli} wait ID (prints the workload's exit code), then ${cli} logs ID (its output)`,
      stop: 'nothing: the workload has exited, and with it the container',
      clean,
    };
  }
  return {
    create: `${cli} create --name ID ${createFlags} IMAGE /bin/sleep 86400 (${where})`,
    launch: `${cli} start ID: the sleeping init starts`,
    execute: `${cli} exec ID WORKLOAD`,
    stop: `${cli} kill ID, then ${cli} wait ID (until the init has exited)`,
    clean,
  };
}
