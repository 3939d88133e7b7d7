import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dockerDefaultSecurity, type ContainerSecurity } from './container-security.ts';
import { buildLxcSeccompPolicy, type LxcSeccompPolicy } from './lxc-seccomp.ts';

/** What a path is on this kernel: /proc and /sys inside a container show the host kernel's. */
export type PathKind = 'file' | 'directory' | 'missing';

export function hostPathKind(file: string): PathKind {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (stats === undefined) return 'missing';
  return stats.isDirectory() ? 'directory' : 'file';
}

/** Docker's confinement said in LXC's configuration: the config lines, the seccomp policy file, and what differs. */
export interface LxcSecurity {
  /** Lines for the container's config, after `lxc.include` of LXC's common configuration. */
  configLines: string[];
  /** The policy to write at the path the config names. */
  seccompPolicy: LxcSeccompPolicy;
  /** How LXC applies each part, and where it differs from the OCI runtimes; for the manifest. */
  notes: string[];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** CAP_NET_RAW → net_raw, as lxc.cap.keep names capabilities. */
function lxcCapability(name: string): string {
  return name.replace(/^CAP_/, '').toLowerCase();
}

/**
 * Docker's default confinement in LXC's own terms, for a privileged LXC container:
 * - capabilities: `lxc.cap.keep` with Docker's set (clearing the `lxc.cap.drop` of LXC's
 *   common configuration first: LXC refuses both);
 * - `lxc.no_new_privs = 1`;
 * - seccomp: Docker's filter as an LXC v2 allowlist (lxc-seccomp.ts) at `seccompPolicyPath`,
 *   replacing LXC's common denylist;
 * - masked paths: /dev/null bound over files and an empty read-only tmpfs over directories,
 *   as runc does, for the paths this kernel has (LXC mounts its entries after /proc and /sys);
 * - read-only paths: LXC's `proc:mixed` already makes /proc/sys and /proc/sysrq-trigger
 *   read-only; the others are bound read-only from the host's /proc, whose tables are the
 *   same kernel's (an LXC mount entry cannot bind a path of the container's own /proc).
 */
export function buildLxcSecurity(security: ContainerSecurity, seccompPolicyPath: string, pathKind: (path: string) => PathKind = hostPathKind): LxcSecurity {
  const seccompPolicy = buildLxcSeccompPolicy(security.seccomp,
    `crbench: Docker's default seccomp profile (${security.seccompSource.path}, sha256 ${security.seccompSource.sha256}),\nconverted for this host and Docker's capability set.`);
  const notes: string[] = [
    'capabilities: lxc.cap.keep with Docker\'s set (bounding, effective and permitted of init and of lxc-attach)',
    seccompPolicy.dropped.length === 0
      ? `seccomp: Docker's filter as an LXC v2 allowlist (${plural(seccompPolicy.lines, 'line')}, argument conditions included)`
      : `seccomp: Docker's filter as an LXC v2 allowlist, ${plural(seccompPolicy.dropped.length, 'rule')} not expressible and left out: ${seccompPolicy.dropped.join('; ')}`,
    'no_new_privs: lxc.no_new_privs = 1',
  ];
  const mounts: string[] = [];
  const absent: string[] = [];
  for (const masked of security.maskedPaths) {
    const kind = pathKind(masked);
    const target = masked.replace(/^\//, '');
    if (kind === 'missing') absent.push(masked);
    else if (kind === 'directory') mounts.push(`lxc.mount.entry = tmpfs ${target} tmpfs ro,nosuid,nodev,noexec,optional 0 0`);
    else mounts.push(`lxc.mount.entry = /dev/null ${target} none bind,optional 0 0`);
  }
  // proc:mixed in LXC's common configuration makes these two read-only already.
  const byProcMixed = new Set(['/proc/sys', '/proc/sysrq-trigger']);
  const boundReadOnly: string[] = [];
  for (const readonly of security.readonlyPaths) {
    if (byProcMixed.has(readonly)) continue;
    if (pathKind(readonly) === 'missing') {
      absent.push(readonly);
      continue;
    }
    boundReadOnly.push(readonly);
    mounts.push(`lxc.mount.entry = ${readonly} ${readonly.replace(/^\//, '')} none bind,ro,optional 0 0`);
  }
  notes.push(`masked and read-only paths: as runc masks them${boundReadOnly.length > 0 ? `; ${boundReadOnly.join(', ')} bound read-only from the host's /proc (the same kernel tables)` : ''}` +
    `${absent.length > 0 ? `; absent on this kernel, so nothing to mask: ${absent.join(', ')}` : ''}`);
  const configLines = [
    '# crbench: Docker\'s default confinement, as every compared runtime gets it (pipeline/run/security/).',
    '# Capabilities: Docker\'s set, kept (LXC refuses lxc.cap.keep beside lxc.cap.drop, so the common drop list is cleared).',
    'lxc.cap.drop =',
    `lxc.cap.keep = ${security.capabilities.map(lxcCapability).join(' ')}`,
    ...(security.noNewPrivileges ? ['lxc.no_new_privs = 1'] : []),
    '# Seccomp: Docker\'s profile as an LXC allowlist, in place of LXC\'s common denylist.',
    `lxc.seccomp.profile = ${seccompPolicyPath}`,
    '# Docker\'s masked and read-only paths.',
    ...mounts,
  ];
  return { configLines, seccompPolicy, notes };
}

/** The policy file's name in the directory the caller gives. */
export const LXC_SECCOMP_POLICY_FILE = 'seccomp-docker-default.policy';

/**
 * Docker's default confinement for LXC on this host, with its seccomp policy written to
 * `<dir>/seccomp-docker-default.policy`; pass the result as buildLxcConfig's `security`.
 * Throws (SECCOMP_PROFILE_MISSING) where Docker's profile is not installed.
 */
export function writeLxcSecurity(dir: string): LxcSecurity {
  const policyPath = path.join(dir, LXC_SECCOMP_POLICY_FILE);
  const lxcSecurity = buildLxcSecurity(dockerDefaultSecurity(), policyPath);
  writeFileSync(policyPath, lxcSecurity.seccompPolicy.text);
  return lxcSecurity;
}
