import type { HostFacts, LifecyclePhase } from '../../types.ts';
import type { Step } from '../phase-steps.ts';

/** One container as the runner tracks it through its life cycle. */
export interface Container {
  /** The runtime's name for it, unique within the group's state. */
  id: string;
  /** OCI bundle directory on the group's volume: config.json plus rootfs/. */
  bundleDir: string;
  rootfsDir: string;
  /** The init process, asked from the runtime after create (outside the clock). */
  initPid: number | null;
}

export interface GroupContext {
  groupId: string;
  workDir: string;
  /** Where the group's volume is mounted: state and containers live below it. */
  mountpoint: string;
  host: HostFacts;
}

/** A runtime opened on one cell group: its own state, its own commands. */
export interface RuntimeGroup {
  /** Workarounds applied to make the runtime work on this host, in words for the report. */
  workarounds: string[];
  create(container: Container): Step[];
  launch(container: Container): Step[];
  execute(container: Container, workloadArgv: string[]): Step[];
  stop(container: Container): Step[];
  clean(container: Container): Step[];
  /** Asks the runtime for the init pid; untimed. */
  initPid(container: Container): Promise<number>;
  /** Best-effort removal of a container a failed phase left behind; untimed. */
  forceRemove(container: Container): Promise<void>;
  /** Deletes whatever is left and releases the group's state. */
  close(): Promise<void>;
}

/**
 * A container runtime, as the runner sees it. The contract, in call order:
 * `openGroup` once per cell group (outside any clock), then per container the phase
 * methods, whose steps the runner executes and times, then `close`.
 * Adapters build argv and parse output; they never time anything themselves.
 */
export interface RuntimeAdapter {
  name: string;
  /** argv that prints the runtime's version; asked from the binary, never hard-coded. */
  versionArgv: string[];
  /** The command behind each phase, in words the report can cite. */
  describePhases(): Record<LifecyclePhase, string>;
  openGroup(context: GroupContext): Promise<RuntimeGroup>;
}
