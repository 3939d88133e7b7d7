import type { Workload } from './workload.ts';

/** What a process inside the container says about its own confinement. */
export interface SecurityFacts {
  /** /proc/self/status Seccomp: 0 none, 1 strict, 2 a BPF filter. */
  seccomp: 0 | 1 | 2;
  /**
   * /proc/self/status NoNewPrivs. Absent where the kernel does not report it: gVisor's
   * /proc/self/status (runsc 2022-12) has no such line, so nothing can be said from inside.
   */
  noNewPrivs?: 0 | 1;
  /** /proc/self/status CapEff: the effective capabilities, 16 hex digits as the kernel prints them. */
  capEff: string;
  /** uid 0 inside is not the host's root: /proc/self/uid_map maps it to a non-zero host uid (or not at all). */
  userNamespace: boolean;
}

/** One uid_map line: first uid inside, first uid outside, how many. */
const UID_MAP_LINE = /^\s*(\d+)\s+(\d+)\s+(\d+)\s*$/;

/**
 * The facts in the output of probe-security (/proc/self/status, then /proc/self/uid_map), or
 * why they cannot be read: a Seccomp or CapEff line missing or malformed, or no uid_map line.
 */
export function parseSecurityFacts(stdout: string): { facts: SecurityFacts } | { error: string } {
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)\\s*$`, 'm').exec(stdout)?.[1];
  const seccomp = field('Seccomp');
  if (seccomp !== '0' && seccomp !== '1' && seccomp !== '2') return { error: `no Seccomp: 0|1|2 line in /proc/self/status (got ${seccomp ?? 'none'})` };
  const capEff = field('CapEff');
  if (capEff === undefined || !/^[0-9a-f]{1,16}$/.test(capEff)) return { error: `no CapEff: <hex> line in /proc/self/status (got ${capEff ?? 'none'})` };
  const noNewPrivs = field('NoNewPrivs');
  if (noNewPrivs !== undefined && noNewPrivs !== '0' && noNewPrivs !== '1') return { error: `NoNewPrivs is neither 0 nor 1: ${noNewPrivs}` };
  const ranges = stdout.split('\n').flatMap((line) => {
    const match = UID_MAP_LINE.exec(line);
    return match ? [{ inside: Number(match[1]), outside: Number(match[2]), count: Number(match[3]) }] : [];
  });
  if (ranges.length === 0) return { error: 'no /proc/self/uid_map line' };
  const root = ranges.find((range) => range.inside <= 0 && 0 < range.inside + range.count);
  return {
    facts: {
      seccomp: Number(seccomp) as 0 | 1 | 2,
      ...(noNewPrivs !== undefined ? { noNewPrivs: Number(noNewPrivs) as 0 | 1 } : {}),
      capEff: capEff.padStart(16, '0'),
      userNamespace: root === undefined || root.outside - root.inside !== 0,
    },
  };
}

/** The facts of probe-security's output; throws when it cannot be read (see parseSecurityFacts). */
export function securityFacts(stdout: string): SecurityFacts {
  const parsed = parseSecurityFacts(stdout);
  if ('error' in parsed) throw new Error(`probe-security: ${parsed.error}`);
  return parsed.facts;
}

/**
 * Isolation measured from inside: the workload process prints its own /proc/self/status and
 * /proc/self/uid_map (busybox cat, so /proc/self is the exec'd process itself, confined as a
 * student's process would be). Its facts (seccomp mode, no_new_privs, effective capabilities,
 * user namespace) go on the execute sample; the run counts when they can be read.
 */
export const probeSecurity: Workload = {
  name: 'probe-security',
  argv: ['/bin/busybox', 'cat', '/proc/self/status', '/proc/self/uid_map'],
  check(record) {
    if (record.exitCode !== 0) return `expected exit 0, got ${record.signal !== null ? `signal ${record.signal}` : `exit ${record.exitCode}`}`;
    const parsed = parseSecurityFacts(record.stdout);
    return 'error' in parsed ? `cannot read the security facts: ${parsed.error}` : null;
  },
  facts(record) {
    const parsed = parseSecurityFacts(record.stdout);
    return 'error' in parsed ? {} : { ...parsed.facts };
  },
};
