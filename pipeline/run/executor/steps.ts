/**
 * What a phase does, as data. Runtime adapters and storage drivers build these; the executor
 * alone spawns, waits and times them (see executor.ts). Every step carries a `label` that says
 * what it is (`rootfs: cp -a`, `runc create`, `POST /containers/create`): each becomes one entry
 * of the phase sample's `steps`.
 */
export type Step = RunStep | WaitExitStep | HttpStep | ExchangeStep | LaterStep;

/** Spawns `argv` (no shell, no PATH games beyond execvp's) and waits for it to exit. */
export interface RunStep {
  kind: 'run';
  label: string;
  argv: string[];
  /** Any exit code is fine here: a check judges it afterwards (the workload's, say). */
  exitJudgedElsewhere?: boolean;
  /**
   * Where the command's standard output and error go. By default scratch files that the
   * executor reads back after the phase (outside the clock). A runtime's `create` under the
   * `command` shape names a file of the container's own: the workload inherits it.
   */
  stdoutPath?: string;
  stderrPath?: string;
  /** Standard input; /dev/null by default. */
  stdinPath?: string;
}

/**
 * Waits until a process that is not (or not yet) a step of ours has exited: a container's
 * init after `kill`. The executor is the child subreaper of everything the phases start, so
 * an init its runtime orphaned is reaped at once, and its exit status is known.
 */
export interface WaitExitStep {
  kind: 'wait-exit';
  label: string;
  pid: number;
}

/**
 * One HTTP/1.1 request on a unix socket (the Docker Engine API), sent on a connection of its
 * own with `Connection: close`, timed from connect to the end of the response. A status not
 * in `accept` fails the step, with the daemon's message.
 */
export interface HttpStep {
  kind: 'http';
  label: string;
  socketPath: string;
  method: string;
  /** The full path, version prefix and query included. */
  path: string;
  /** Sent as JSON. */
  json?: unknown;
  /** Streamed as the body (`application/x-tar`), with its length. */
  bodyFile?: string;
  accept: number[];
}

/**
 * A short conversation on a unix socket: connect, write `send`, read until the text `until`
 * has arrived (or the peer closes). A VM's QMP monitor (`cont`) and its guest agent (run a
 * command, read until its end marker) are driven this way. The bytes read are the record's stdout.
 */
export interface ExchangeStep {
  kind: 'exchange';
  label: string;
  socketPath: string;
  send: string;
  until: string;
}

/**
 * A step that needs what an earlier step of the same phase answered (an exec id from
 * `POST /containers/{id}/exec`): built once the steps before it have run. The executor's
 * round trip between them shows as a `harness` entry of the phase's steps.
 */
export interface LaterStep {
  kind: 'later';
  label: string;
  build(previous: readonly StepRecord[]): RunStep | WaitExitStep | HttpStep | ExchangeStep;
}

/** Resource use of a spawned step, from wait4. */
export interface StepRusage {
  userMs: number;
  systemMs: number;
  maxRssKiB: number;
}

/** What one step did, as the executor saw it. Times are CLOCK_MONOTONIC, in ms. */
export interface StepRecord {
  label: string;
  kind: 'run' | 'wait-exit' | 'http' | 'exchange';
  /** argv, `[pid]`, `[METHOD, path]`, or `[socketPath]`. */
  what: string[];
  startMs: number;
  endMs: number;
  durationMs: number;
  /** A run step's exit code; a waited process's, when the executor reaped it; null otherwise. */
  exitCode: number | null;
  signal: string | null;
  /** An http step's status. */
  httpStatus?: number;
  /**
   * An http step's response body as bytes (chunked encoding undone): for a stream that is not
   * text, such as the multiplexed frames of the Docker API's logs or a hijacked exec.
   */
  httpBody?: Buffer;
  /** An http step's response body as bytes (Docker's multiplexed log and exec streams are binary). */
  body?: Buffer;
  /** Output as read back after the phase (an http step's response body as stdout). */
  stdout: string;
  stderr: string;
  rusage?: StepRusage;
  /** Set when the step could not run, was killed at the deadline, or its status was not accepted. */
  failure?: string;
}

/** One phase's steps, run back to back under one deadline. */
export interface PhaseRun {
  records: StepRecord[];
  /** First step's start to last step's end (CLOCK_MONOTONIC, ms). */
  startMs: number;
  endMs: number;
  durationMs: number;
  ok: boolean;
  /** The first failure, in words a user can act on. */
  error?: string;
}

/** The per-step entries of a phase sample: each step, and any gap between two as `harness`. */
export interface StepTiming {
  label: string;
  durationMs: number;
}

export const HARNESS_LABEL = 'harness';

/**
 * The steps of a phase sample: one entry per record in the order run, and a `harness` entry
 * for a gap between two records longer than `minGapMs` (the executor's round trip before a
 * later step, say), so that the entries sum to the phase's duration.
 */
export function stepTimings(records: readonly StepRecord[], minGapMs = 0.001): StepTiming[] {
  const timings: StepTiming[] = [];
  let previousEnd: number | undefined;
  for (const record of records) {
    if (previousEnd !== undefined && record.startMs - previousEnd > minGapMs) {
      timings.push({ label: HARNESS_LABEL, durationMs: record.startMs - previousEnd });
    }
    timings.push({ label: record.label, durationMs: record.durationMs });
    previousEnd = record.endMs;
  }
  return timings;
}

/** A run step with its label: `run('runc create', [...])`. */
export function run(label: string, argv: string[], extra: Partial<Omit<RunStep, 'kind' | 'label' | 'argv'>> = {}): RunStep {
  return { kind: 'run', label, argv, ...extra };
}
