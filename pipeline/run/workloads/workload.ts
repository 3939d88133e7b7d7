import type { CommandRecord } from '../../types.ts';
import type { ContainerPlan, ContainerSpec, PhaseTexts, RuntimeGroup } from '../runtimes/runtime-adapter.ts';

/** What runs in the execute phase, and how to tell that it really ran. */
export interface Workload {
  name: string;
  /**
   * The command, the same for every runtime: the OCI runtimes `exec` it in the running
   * container, docker and podman run it as the container's command. An absolute path to
   * the binary (no PATH lookup by the runtime), and nothing the image does not provide.
   */
  argv: string[];
  /** Returns why the run does not count, or null when it does. */
  check(record: CommandRecord): string | null;
  /**
   * What the workload found out about the container (probe-security: its seccomp mode,
   * capabilities…), stored on the execute sample as `facts`; absent for workloads that
   * measure nothing but time. Called on the same record as `check`.
   */
  facts?(record: CommandRecord): Record<string, string | number | boolean>;
  /**
   * A workload that is a whole submission rather than one command (the INGInious task): it
   * makes each container's plan from the runtime's, a grading container that asks for student
   * containers. `argv` is then the grading container's command.
   */
  plan?(runtime: RuntimeGroup, spec: ContainerSpec): ContainerPlan;
  /** What such a workload's phases hold, from the runtime's texts of the `command` shape. */
  describePhases?(runtimeTexts: PhaseTexts): PhaseTexts;
}
