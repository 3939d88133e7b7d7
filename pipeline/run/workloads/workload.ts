import type { CommandRecord } from '../spawn-timed.ts';

/** What runs in the execute phase, and how to tell that it really ran. */
export interface Workload {
  name: string;
  argv: string[];
  /** Returns why the run does not count, or null when it does. */
  check(record: CommandRecord): string | null;
}
