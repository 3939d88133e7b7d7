import { SANDBOX_KILLED_FACT, sandboxKilled } from './sandbox-killed.ts';
import type { Workload } from './workload.ts';

/** Far above the 256 MiB every container gets (pipeline/run/limits.ts). */
const HOG_MIB = 1024;

/**
 * A memory hog: doubles a string until it holds HOG_MIB MiB. Where the memory limit holds,
 * the kernel's OOM killer ends it (SIGKILL, exit 137) before it prints; where it does not,
 * it prints "survived". Under gVisor the limit ends the whole sandbox instead (see
 * sandbox-killed.ts): that counts as enforced too, and the facts say which of the two it
 * was. The check passes only when the limit was enforced, and says "not enforced"
 * otherwise, so the report can tell the two apart from a broken run.
 */
export const limitMemory: Workload = {
  name: 'limit-memory',
  argv: ['/bin/busybox', 'awk', `BEGIN { s = "x"; while (length(s) < ${HOG_MIB} * 1048576) s = s s; print "survived" }`],
  check(record) {
    if (record.stdout.includes('survived')) return `not enforced: a ${HOG_MIB} MiB allocation survived the memory limit`;
    if (record.exitCode === 137 || record.signal === 'SIGKILL' || sandboxKilled(record)) return null;
    return `could not tell: the memory hog ended with ${record.signal ?? `exit ${record.exitCode}`} without being killed`;
  },
  facts: (record) => ({ [SANDBOX_KILLED_FACT]: sandboxKilled(record) }),
};
