import type { CommandRecord } from '../../types.ts';

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
}
