import { SANDBOX_KILLED_FACT, sandboxKilled } from './sandbox-killed.ts';
import type { Workload } from './workload.ts';

/** Above the 256 processes every container may have (pipeline/run/limits.ts). */
const FORKS = 400;

/**
 * A bounded fork bomb: a subshell starts FORKS sleeping processes and says so only if every
 * fork succeeded; where the pids limit holds, a fork fails first and the subshell dies.
 * The sleepers are then killed with the shell's builtin `kill -1` (which needs no fork, as
 * nothing else can at the limit). The check says "not enforced" when all forks ran. Under
 * gVisor the limit ends the whole sandbox before the shell can report (see sandbox-killed.ts):
 * enforced, with the fact saying so.
 */
export const limitPids: Workload = {
  name: 'limit-pids',
  argv: ['/bin/busybox', 'sh', '-c', `( i=0; while [ $i -lt ${FORKS} ]; do /bin/busybox sleep 30 & i=$((i+1)); done; echo "started $i" ) 2>/dev/null; status=$?; kill -KILL -1 2>/dev/null; wait; echo "bomb exited $status"`],
  check(record) {
    if (record.stdout.includes(`started ${FORKS}`)) return `not enforced: all ${FORKS} forks succeeded`;
    if (sandboxKilled(record)) return null;
    const status = /bomb exited (\d+)/.exec(record.stdout)?.[1];
    if (status === undefined) return `could not tell: ${JSON.stringify(record.stdout.slice(0, 80))} (${record.signal ?? `exit ${record.exitCode}`})`;
    return status !== '0' ? null : 'could not tell: the bomb exited 0 without starting every fork';
  },
  facts: (record) => ({ [SANDBOX_KILLED_FACT]: sandboxKilled(record) }),
};
