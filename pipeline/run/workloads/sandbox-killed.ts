import type { CommandRecord } from '../../types.ts';

/**
 * The fact a limit probe records when the limit ended the whole sandbox rather than the
 * probe's process (pipeline/analyse/summarise-limits.ts reads it by this name).
 */
export const SANDBOX_KILLED_FACT = 'sandboxKilled';

/**
 * gVisor's way of enforcing a memory or pids limit: the sandbox (its Sentry) is killed, so
 * the `runsc exec` waiting for the probe loses its connection and exits 128 with
 * `urpc method "containerManager.WaitPID" failed: EOF` (seen with runsc 2022-12-19: the limit
 * held, but no process of the container was left to say so).
 */
export function sandboxKilled(record: Pick<CommandRecord, 'exitCode' | 'stderr'>): boolean {
  return record.exitCode === 128 && /containerManager\.WaitPID"? failed: EOF/.test(record.stderr);
}
