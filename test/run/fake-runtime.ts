import { readFileSync } from 'node:fs';
import type { LifecyclePhase } from '../../pipeline/types.ts';
import { run, type Step } from '../../pipeline/run/executor/steps.ts';
import { lastRecord, type ContainerPlan, type ContainerSpec, type RuntimeAdapter, type RuntimeGroup } from '../../pipeline/run/runtimes/runtime-adapter.ts';

/**
 * A runtime for unit tests: every phase is real processes through the real executor, whose
 * durations the test knows — `sleep` for a known time, `sh -c 'exit N'` to fail on cue, a
 * long sleep to hang. It needs neither root nor a container runtime, so runCell and runGroup
 * can be tested at N = 1 and N = 4 anywhere.
 */
export interface FakeScript {
  /** Seconds each phase sleeps (per step: two steps when an array). */
  sleepS: Record<LifecyclePhase, number | number[]>;
  /** A phase of the given repetition (measured reps are numbered from 0) that fails with exit 3. */
  failAt?: { phase: LifecyclePhase; rep: number; warmup?: boolean };
  /** A phase that hangs (sleeps 30 s) in every repetition. */
  hangAt?: LifecyclePhase;
  /** What the workload prints on execute (the last step echoes it). */
  output?: string;
}

/** Every container the fake made, in order, with what was asked of it. */
export interface FakeLog {
  containers: ContainerSpec[];
  forceRemoved: string[];
  closed: boolean;
}

function repOf(id: string): { rep: number; warmup: boolean } {
  const match = /-b\d+-(w|r)(\d+)/.exec(id);
  return { rep: Number(match?.[2] ?? -1), warmup: match?.[1] === 'w' };
}

function phaseSteps(script: FakeScript, phase: LifecyclePhase, c: ContainerSpec): Step[] {
  const { rep, warmup } = repOf(c.id);
  if (script.hangAt === phase) return [run(`fake ${phase} (hangs)`, ['sleep', '30'])];
  const sleeps = ([] as number[]).concat(script.sleepS[phase]);
  const steps = sleeps.map((seconds, index) => run(`fake ${phase} ${index + 1}`, ['sleep', String(seconds)]));
  const fail = script.failAt;
  if (fail !== undefined && fail.phase === phase && fail.rep === rep && (fail.warmup ?? false) === warmup) {
    steps.push(run(`fake ${phase} fails`, ['sh', '-c', 'echo failing on cue >&2; exit 3']));
  }
  if (phase === 'execute') steps.push(run('fake workload', ['sh', '-c', `printf '%s' "$1"`, 'sh', script.output ?? 'ok\n'], { exitJudgedElsewhere: true }));
  return steps;
}

export function fakeRuntime(script: FakeScript, log: FakeLog = { containers: [], forceRemoved: [], closed: false }): RuntimeAdapter & { log: FakeLog } {
  return {
    name: 'fake',
    versionArgv: ['true'],
    log,
    describePhases: () => ({ create: 'sleep', launch: 'sleep', execute: 'sleep; printf', stop: 'sleep', clean: 'sleep' }),
    async openGroup(): Promise<RuntimeGroup> {
      return {
        workarounds: ['a fake runtime: every phase is sleep'],
        importImage: () => [run('fake import', ['sleep', '0.01'])],
        container(c): ContainerPlan {
          log.containers.push(c);
          return {
            create: () => phaseSteps(script, 'create', c),
            launch: () => phaseSteps(script, 'launch', c),
            execute: () => phaseSteps(script, 'execute', c),
            stop: () => phaseSteps(script, 'stop', c),
            clean: () => phaseSteps(script, 'clean', c),
            workloadRun: lastRecord,
            forceRemove: () => {
              log.forceRemoved.push(c.id);
              return [run('fake force-remove', ['true'])];
            },
          };
        },
        async close() {
          log.closed = true;
        },
      };
    },
  };
}

/** The lines of a results log file, for assertions on what was logged. */
export function readLog(file: string): string {
  return readFileSync(file, 'utf8');
}
