import type { HostFacts, LifecyclePhase } from '../../types.ts';
import type { ContainerLimits } from '../limits.ts';
import type { Step } from '../phase-steps.ts';

/** One container as the runner tracks it through its life cycle. */
export interface Container {
  /** The runtime's name for it, unique within the group's state. */
  id: string;
  /** The image it is made from, as imported into the group's store. */
  image: string;
  /** A directory of its own on the group's volume (an OCI bundle, an LXC config, …). */
  dir: string;
  /**
   * What the execute phase will run: runtimes that start the workload as the container's
   * own command (docker, podman, the INGInious way) need it at create.
   */
  workloadArgv: string[];
  /** The init process, where an adapter needs it (set by `afterPhase`, outside the clock). */
  initPid: number | null;
}

export interface GroupContext {
  groupId: string;
  workDir: string;
  /** Where the group's volume is mounted: state, images and containers live below it. */
  mountpoint: string;
  /** The volume's zpool, when its filesystem is zfs (named after the group either way). */
  poolName: string;
  host: HostFacts;
  /** The storage driver of the group's cells: the runtime's own, or one the pipeline prepares. */
  storageDriver: string;
  limits: ContainerLimits;
  scratchDir: string;
}

/** A runtime opened on one cell group: its own state, its own commands. */
export interface RuntimeGroup {
  /** Workarounds applied to make the runtime work on this host, in words for the report. */
  workarounds: string[];
  /** Steps that load an image tarball into the group's store; timed as a setup step. */
  importImage(image: string, tarballPath: string): Step[];
  /** Untimed preparation before the create phase (writing an OCI config, say). */
  prepare(container: Container): Promise<void>;
  create(container: Container): Step[];
  launch(container: Container): Step[];
  execute(container: Container, workloadArgv: string[]): Step[];
  stop(container: Container): Step[];
  clean(container: Container): Step[];
  /** Untimed follow-up once a phase's clock has stopped (asking the init pid after create). */
  afterPhase(phase: LifecyclePhase, container: Container): Promise<void>;
  /**
   * Where the container's memory cgroup is, for its peak memory (read after execute,
   * outside the clock); null when the runtime keeps it out of reach (a VM, a sandbox).
   */
  memoryCgroup?(container: Container): string | null;
  /** Best-effort removal of a container a failed phase left behind; untimed. */
  forceRemove(container: Container): Promise<void>;
  /** Deletes whatever is left and releases the group's state (stops its daemon, if any). */
  close(): Promise<void>;
}

/**
 * A container runtime, as the runner sees it. The contract, in call order:
 * `openGroup` once per cell group (timed as the `start-runtime` setup step: starting a
 * daemon, making state directories), `importImage` once per image (timed as `import-image`),
 * then per container `prepare`, and for each phase its steps (executed and timed by the
 * runner) followed by `afterPhase`; `forceRemove` after a failure; `close` at the end,
 * however the group ended. Adapters build argv, API calls and parse output; they never time
 * anything themselves.
 */
export interface RuntimeAdapter {
  name: string;
  /** argv that prints the runtime's version; asked from the binary, never hard-coded. */
  versionArgv: string[];
  /** The command or API call behind each phase, in words the report can cite. */
  describePhases(storageDriver: string): Record<LifecyclePhase, string>;
  openGroup(context: GroupContext): Promise<RuntimeGroup>;
}
