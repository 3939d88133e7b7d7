/**
 * The resource limits every container gets, like an INGInious grading container: bounded
 * memory and process count, no network. Recorded in the manifest with the results.
 */
export interface ContainerLimits {
  memoryBytes: number;
  pids: number;
  /** CPU time per second of wall time (a CFS quota): 1 is one CPU's worth, however many cores. */
  cpus: number;
  /** 'none': a network namespace of its own with no interface but a down loopback. */
  network: 'none';
}

export const DEFAULT_LIMITS: ContainerLimits = {
  memoryBytes: 256 * 1024 * 1024,
  pids: 256,
  cpus: 1,
  network: 'none',
};
