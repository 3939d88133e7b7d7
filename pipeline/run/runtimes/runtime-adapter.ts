import type { CgroupMode, CommandRecord, HostFacts, Lifecycle, LifecyclePhase, NetnsMode } from '../../types.ts';
import type { Executor } from '../executor/executor.ts';
import type { PhaseRun, Step, StepRecord } from '../executor/steps.ts';
import type { ContainerLimits } from '../limits.ts';

/**
 * A host directory bind-mounted into a container, as INGInious's agent mounts a submission's
 * task folder at /task, its sockets folder at /sockets and the course's common files at
 * /course/common (read-only). The source is an absolute host path crbench made.
 */
export interface ContainerMount {
  source: string;
  destination: string;
  readonly: boolean;
}

/** One container as the runner asks a runtime for it. */
export interface ContainerSpec {
  /** The runtime's name for it, unique within the group's state. */
  id: string;
  /** The image it is made from, as imported into the group's store. */
  image: string;
  /** A directory of its own on the group's volume (an OCI bundle, an LXC config, …). */
  dir: string;
  /** The workload: exec'd into the running container, or the container's own process (`command`). */
  workloadArgv: string[];
  lifecycle: Lifecycle;
  netns: NetnsMode;
  cgroup: CgroupMode;
  /** Host directories bind-mounted into it; none unless given. */
  mounts?: ContainerMount[];
}

/** What follows a phase outside its clock: steps whose records teach the adapter something (an init pid). */
export interface AfterPhase {
  steps: Step[];
  learn(records: readonly StepRecord[]): void;
}

/**
 * One container's life cycle as steps, in call order:
 *   prepare → create → after(create) → launch → after(launch) → execute → workloadRun →
 *   after(execute) → stop → after(stop) → clean
 * A phase's steps are built when the phase starts, so they may use what an earlier phase taught
 * (`after`). The runner runs and times every step through the executor; the plan never spawns,
 * waits or times anything itself.
 */
export interface ContainerPlan {
  /** Untimed, before create, spawning nothing: files the runtime will read (an OCI config). */
  prepare?(): void;
  create(): Step[];
  launch(): Step[];
  execute(): Step[];
  stop(): Step[];
  clean(): Step[];
  /**
   * Outside the clock, after a phase: learn from its records without running anything (an
   * init pid from a pid file), or return steps whose records teach it (lxc-info -p).
   */
  after?(phase: LifecyclePhase, records: readonly StepRecord[]): AfterPhase | void;
  /** The workload's exit and output, from the execute phase's records (and files they wrote). */
  workloadRun(records: readonly StepRecord[]): CommandRecord;
  /** The container's memory cgroup, read after execute for its peak; null when out of reach (a sandbox, a VM). */
  memoryCgroup?(): string | null;
  /** The container's memory where no cgroup holds it: a VM's QEMU, its resident set once the guest was ready. */
  residentBytes?(): number | null;
  /** Untimed steps that remove whatever a failed phase left behind; their failures are ignored. */
  forceRemove(): Step[];
  /**
   * A phase that is more than its steps run back to back, run by the plan itself through the
   * executor (the INGInious task's execute serves student containers, phases of their own,
   * while the grading container runs). The runner calls it instead of running `steps`; the
   * records it returns do not overlap, so that their timings still sum to the phase.
   */
  runPhase?(phase: LifecyclePhase, steps: Step[], executor: Executor, deadlineMs: number): Promise<PhaseRun>;
}

export interface GroupContext {
  groupId: string;
  workDir: string;
  /** Where the group's volume is mounted: state, images and containers live below it. */
  mountpoint: string;
  /** The volume's zpool, when its filesystem is zfs (named after the group either way). */
  poolName: string;
  host: HostFacts;
  /** The runtime value of the group's cells, `docker+crun` included: the adapter reads its OCI runtime from it. */
  runtime: string;
  /** The storage driver of the group's cells: the runtime's own, or one the pipeline prepares. */
  storageDriver: string;
  limits: ContainerLimits;
  /**
   * How many pooled network namespaces and cgroups the group's cells hold at once (the largest
   * concurrency of a cell with `netns: reused`, `cgroup: reused`); absent or 0: none are made.
   */
  pools?: { netns: number; cgroup: number };
}

/** A runtime opened on one cell group: its own state, its own commands. */
export interface RuntimeGroup {
  /** Workarounds applied to make the runtime work on this host, in words for the report. */
  workarounds: string[];
  /** Steps that load an image tarball into the group's store; timed as a setup step. */
  importImage(image: string, tarballPath: string): Step[];
  /** Why an import whose steps all succeeded did not import (Docker streams its errors under HTTP 200). */
  checkImport?(records: readonly StepRecord[]): string | undefined;
  container(spec: ContainerSpec): ContainerPlan;
  /** Deletes whatever is left and releases the group's state (stops its daemon, if any). */
  close(): Promise<void>;
}

/** The phases of one shape, in words the report can cite. */
export type PhaseTexts = Record<LifecyclePhase, string>;

/**
 * A container runtime, as the runner sees it. The contract, in call order: `openGroup` once
 * per cell group (timed as the `start-runtime` setup step: starting a daemon, making state
 * directories), `importImage` once per image (timed as `import-image`), then `container` per
 * container and its plan's phases; `close` at the end, however the group ended. Adapters build
 * argv, requests and parse output; they never spawn or time anything in a phase themselves.
 */
export interface RuntimeAdapter {
  name: string;
  /** argv that prints the runtime's version; asked from the binary, never hard-coded. */
  versionArgv: string[];
  /** The command or API call behind each phase of one shape, for the report. */
  describePhases(storageDriver: string, lifecycle: Lifecycle, runtime: string): PhaseTexts;
  openGroup(context: GroupContext): Promise<RuntimeGroup>;
}

/** The default reading of a workload's run: the last record of the execute phase. */
export function lastRecord(records: readonly StepRecord[]): CommandRecord {
  const last = records.at(-1);
  if (last === undefined) return { argv: [], durationMs: 0, exitCode: null, signal: null, stdout: '', stderr: '', failure: 'the execute phase ran nothing' };
  return { argv: last.what, durationMs: last.durationMs, exitCode: last.exitCode, signal: last.signal, stdout: last.stdout, stderr: last.stderr, ...(last.failure !== undefined ? { failure: last.failure } : {}) };
}
