import type { CommandRecord } from '../../types.ts';
import { DEFAULT_LIMITS, type ContainerLimits } from '../limits.ts';
import type { Step } from '../phase-steps.ts';
import { spawnTimed } from '../spawn-timed.ts';
import type { Container, RuntimeGroup } from './runtime-adapter.ts';

/**
 * What docker, docker-cli and podman share: they run a grading container the INGInious
 * way. The container's command IS the workload (create → start → wait → logs → remove),
 * where the OCI adapters start an init that sleeps and `exec` the workload into it.
 */

/** How the phase texts say the life cycle differs from the OCI adapters', for the report. */
export const INGINIOUS_WAY =
  'the container\'s command is the workload itself, as INGInious runs a grading container: no sleeping init and no exec ' +
  '(unlike runc, crun and runsc), so the workload starts in launch and may have finished before execute begins';

/** Refuses to run a workload other than the one the container was created with. */
export function assertSameWorkload(container: Container, workload: string[]): void {
  const created = container.workloadArgv;
  if (JSON.stringify(created) !== JSON.stringify(workload)) {
    throw new Error(`container ${container.id} was created to run ${JSON.stringify(created)}, not ${JSON.stringify(workload)}`);
  }
}

/**
 * The workload as it ran in the container, for the workload check: its exit code (from
 * wait) and its output (from the logs). Its argv is `<container>: <workload…>`, since it is
 * no command crbench ran itself.
 */
export function workloadRecord(container: Container, workload: string[], exitCode: number, stdout: string, stderr: string, durationMs: number): CommandRecord {
  return { argv: [`${container.id}:`, ...workload], durationMs, exitCode, signal: null, stdout, stderr };
}

/** Why a command failed (its exit, and the last lines it printed), or undefined when it succeeded. */
export function failureOf(record: CommandRecord): string | undefined {
  if (record.failure === undefined && record.exitCode === 0) return undefined;
  const said = record.stderr.trim().split('\n').slice(-2).join(' | ');
  const how = record.failure ?? (record.signal !== null ? `killed by ${record.signal}` : `exit ${record.exitCode}`);
  return `${how}${said !== '' ? `: ${said}` : ''}`;
}

/**
 * The execute phase of a CLI (docker, podman): `<cli> wait ID`, which prints the workload's
 * exit code, then `<cli> logs ID`, which prints its output. Both are spawned by the executor's
 * own spawnTimed from two call steps, because the workload check needs one record with the
 * exit code of the first and the output of the second: the wait's record is logged as it
 * was, the second call resolves with the workload's record.
 */
export function cliExecuteSteps(cli: string[], container: Container, workload: string[], scratchDir: string, waitFlags: string[] = []): Step[] {
  const waitArgv = [...cli, 'wait', ...waitFlags, container.id];
  const logsArgv = [...cli, 'logs', container.id];
  let exitCode: number | undefined;
  return [
    {
      kind: 'call',
      what: waitArgv.join(' '),
      async call(deadlineMs) {
        assertSameWorkload(container, workload);
        const record = await spawnTimed(waitArgv, { scratchDir, deadlineMs });
        const failure = failureOf(record);
        if (failure !== undefined) throw new Error(failure);
        const printed = record.stdout.trim().split('\n').at(-1) ?? '';
        if (!/^-?\d+$/.test(printed)) throw new Error(`expected an exit code, got ${JSON.stringify(record.stdout.slice(0, 200))}`);
        exitCode = Number(printed);
        return record;
      },
    },
    {
      kind: 'call',
      what: logsArgv.join(' '),
      async call(deadlineMs) {
        const record = await spawnTimed(logsArgv, { scratchDir, deadlineMs });
        const failure = failureOf(record);
        if (failure !== undefined) throw new Error(failure);
        if (exitCode === undefined) throw new Error('no exit code: the wait step did not run');
        return workloadRecord(container, workload, exitCode, record.stdout, record.stderr, record.durationMs);
      },
    },
  ];
}

/** `--network none --memory 268435456b --memory-swap 268435456b --pids-limit 256 --cpus 1`: the limits as docker and podman take them. */
export function limitFlags(limits: ContainerLimits = DEFAULT_LIMITS): string[] {
  return ['--network', limits.network, '--memory', `${limits.memoryBytes}b`, '--memory-swap', `${limits.memoryBytes}b`, '--pids-limit', String(limits.pids), '--cpus', String(limits.cpus)];
}

type PhaseStepBuilders = Pick<RuntimeGroup, 'importImage' | 'create' | 'launch' | 'execute' | 'stop' | 'clean'>;

/**
 * The step builders of a runtime group, taken from a builder object that may carry more
 * (removeAll, forceRemove): the runtimes whose containers need no preparation outside the
 * clock and nothing after a phase.
 */
export function phaseStepsOf(steps: PhaseStepBuilders): PhaseStepBuilders & Pick<RuntimeGroup, 'prepare' | 'afterPhase'> {
  const { importImage, create, launch, execute, stop, clean } = steps;
  return { importImage, prepare: async () => undefined, create, launch, execute, stop, clean, afterPhase: async () => undefined };
}
