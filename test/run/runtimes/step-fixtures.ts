import type { HttpStep, Step, StepRecord } from '../../../pipeline/run/executor/steps.ts';
import type { ContainerSpec } from '../../../pipeline/run/runtimes/runtime-adapter.ts';
import type { Lifecycle } from '../../../pipeline/types.ts';

/**
 * What the adapters' unit tests share: a container spec, a step record as the executor makes
 * one, the steps as text, and Docker's multiplexed stream frames.
 */

/** A container of the `tiny` image running `/bin/true`, in the shape asked. */
export function containerSpec(lifecycle: Lifecycle, overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    id: `tiny-noop-${lifecycle}-c1-b0-r0`, image: 'tiny', dir: `/w/mnt/g/containers/tiny-noop-${lifecycle}-c1-b0-r0`, workloadArgv: ['/bin/true'],
    lifecycle, netns: 'fresh', cgroup: 'fresh', ...overrides,
  };
}

/** A record of a step that ran fine in 1 ms, with what the test overrides. */
export function record(overrides: Partial<StepRecord> = {}): StepRecord {
  return { label: 'x', kind: 'run', what: [], startMs: 0, endMs: 1, durationMs: 1, exitCode: 0, signal: null, stdout: '', stderr: '', ...overrides };
}

/** An http record as the executor makes one: the answer as text in stdout, and as bytes. */
export function httpRecord(status: number, body: string | Buffer, overrides: Partial<StepRecord> = {}): StepRecord {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return record({ kind: 'http', httpStatus: status, stdout: bytes.toString('utf8'), httpBody: bytes, exitCode: null, ...overrides });
}

/** What each step runs, as one line: `label: argv`, `label: wait-exit PID`, `label: METHOD path`, `label: later`. */
export function shown(steps: readonly Step[]): string[] {
  return steps.map((step): string => {
    switch (step.kind) {
      case 'run': return `${step.label}: ${step.argv.join(' ')}`;
      case 'wait-exit': return `${step.label}: wait-exit ${step.pid}`;
      case 'http': return `${step.label}: ${step.method} ${step.path}`;
      case 'exchange': return `${step.label}: exchange ${step.socketPath}`;
      case 'later': return `${step.label}: later`;
    }
  });
}

/** The step as an http step, or a failed assertion saying what it was instead. */
export function asHttp(step: Step | undefined): HttpStep {
  if (step?.kind !== 'http') throw new Error(`expected an http step, got ${step?.kind ?? 'nothing'}`);
  return step;
}

/** One frame of Docker's multiplexed stream: type (1 stdout, 2 stderr), three zero bytes, the size, the payload. */
export function streamFrame(type: number, text: string): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, Buffer.from(text)]);
}
