import { CrbenchError } from '../../errors.ts';

/** A condition on one argument of a system call, the same in Docker's format and the OCI spec's. */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

/** When a rule of a Docker-format profile applies: all of `caps` held, one of `arches` native, the kernel at least `minKernel`. */
export interface SeccompFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}

/** One rule of a seccomp profile in Docker's format (moby profiles/seccomp types). */
export interface DockerSeccompRule {
  name?: string;
  names?: string[] | null;
  action: string;
  errnoRet?: number | null;
  args?: SeccompArg[] | null;
  comment?: string;
  includes?: SeccompFilter | null;
  excludes?: SeccompFilter | null;
}

/** A seccomp profile in Docker's format, as Docker, Podman and containers-common ship it. */
export interface DockerSeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number | null;
  architectures?: string[] | null;
  archMap?: { architecture: string; subArchitectures?: string[] | null }[] | null;
  syscalls?: DockerSeccompRule[] | null;
  flags?: string[] | null;
}

/** One rule of `linux.seccomp` in an OCI runtime config. */
export interface OciSyscallRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: Required<SeccompArg>[];
}

/** `linux.seccomp` of an OCI runtime config (runtime-spec 1.0.2 with defaultErrnoRet). */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls: OciSyscallRule[];
}

/** What the conversion depends on: the host's architecture and kernel, and the container's capabilities. */
export interface SeccompTarget {
  /** libseccomp's name of the native architecture, as the profile's `arches` use it: amd64, arm64, x86… */
  arch: string;
  /** The container's bounding capability set: CAP_SYS_ADMIN… */
  capabilities: readonly string[];
  /** The running kernel's release (uname -r), for `minKernel`. */
  kernelRelease: string;
}

/** libseccomp's native architecture name → the SCMP_ARCH_ constant of the profile's archMap (moby's nativeToSeccomp). */
const SECCOMP_ARCH_OF: Record<string, string> = {
  x86: 'SCMP_ARCH_X86', amd64: 'SCMP_ARCH_X86_64', arm: 'SCMP_ARCH_ARM', arm64: 'SCMP_ARCH_AARCH64',
  mips64: 'SCMP_ARCH_MIPS64', mips64n32: 'SCMP_ARCH_MIPS64N32', mipsel64: 'SCMP_ARCH_MIPSEL64', mipsel64n32: 'SCMP_ARCH_MIPSEL64N32',
  mipsel: 'SCMP_ARCH_MIPSEL', ppc: 'SCMP_ARCH_PPC', ppc64: 'SCMP_ARCH_PPC64', ppc64le: 'SCMP_ARCH_PPC64LE',
  s390: 'SCMP_ARCH_S390', s390x: 'SCMP_ARCH_S390X', riscv64: 'SCMP_ARCH_RISCV64',
};

/** Node's process.arch → libseccomp's native architecture name. */
const NATIVE_ARCH_OF: Record<string, string> = {
  x64: 'amd64', ia32: 'x86', arm: 'arm', arm64: 'arm64', mips: 'mips', mipsel: 'mipsel', mips64el: 'mipsel64',
  ppc: 'ppc', ppc64: 'ppc64le', s390: 's390', s390x: 's390x', riscv64: 'riscv64',
};

/** libseccomp's name for the architecture Node runs on (amd64 on x86-64). */
export function nativeSeccompArch(nodeArch: string = process.arch): string {
  const arch = NATIVE_ARCH_OF[nodeArch];
  if (arch === undefined) throw new CrbenchError('SECCOMP_ARCH_UNKNOWN', `no seccomp architecture is known for Node's arch ${nodeArch}`);
  return arch;
}

/** A kernel release's version and major revision: "6.18.44-fc" → [6, 18]. */
function kernelNumbers(release: string): [number, number] {
  const match = /^(\d+)(?:\.(\d+))?/.exec(release.trim());
  if (match === null) throw new CrbenchError('SECCOMP_PROFILE_INVALID', `cannot read a kernel version from "${release}"`, { exitCode: 2 });
  return [Number(match[1]), Number(match[2] ?? 0)];
}

/**
 * Whether `release` is at least `minimum`, as moby's kernelGreaterEqualThan compares them:
 * version and major revision only, so "3.12.25-gentoo" counts as 3.12.
 */
export function kernelAtLeast(release: string, minimum: string): boolean {
  const [haveVersion, haveMajor] = kernelNumbers(release);
  const [wantVersion, wantMajor] = kernelNumbers(minimum);
  return haveVersion !== wantVersion ? haveVersion > wantVersion : haveMajor >= wantMajor;
}

/** Whether a rule applies to this target: moby's setupSeccomp, excludes first, then includes. */
function ruleApplies(rule: DockerSeccompRule, target: SeccompTarget): boolean {
  const { includes, excludes } = rule;
  const held = (cap: string) => target.capabilities.includes(cap);
  if (excludes?.arches?.includes(target.arch)) return false;
  if (excludes?.caps?.some(held)) return false;
  if (excludes?.minKernel && kernelAtLeast(target.kernelRelease, excludes.minKernel)) return false;
  if (includes?.arches && includes.arches.length > 0 && !includes.arches.includes(target.arch)) return false;
  if (includes?.caps && includes.caps.length > 0 && !includes.caps.every(held)) return false;
  if (includes?.minKernel && !kernelAtLeast(target.kernelRelease, includes.minKernel)) return false;
  return true;
}

/**
 * A Docker-format seccomp profile → the OCI config's `linux.seccomp` for one architecture,
 * kernel and capability set, the way Docker (moby profiles/seccomp setupSeccomp) and Podman
 * (containers/common pkg/seccomp) turn their default profile into a container's filter:
 * - architectures: the profile's list, or the archMap entry of the native architecture with
 *   its sub-architectures (x86_64 → x86, x32), so a 32-bit binary meets the same filter;
 * - a rule is kept unless an `excludes` matches (an arch, any of its caps held, the kernel at
 *   least minKernel), and only if all of its `includes` match (all caps held…);
 * - errno return values (the rule's and the default's) are carried over, as Podman does:
 *   the default ENOSYS lets a libc fall back from a system call the policy does not know.
 * Pure: the caller reads the file and the host.
 */
export function convertSeccompProfile(profile: DockerSeccompProfile, target: SeccompTarget): OciSeccomp {
  if (typeof profile.defaultAction !== 'string' || profile.defaultAction === '') {
    throw new CrbenchError('SECCOMP_PROFILE_INVALID', 'the seccomp profile has no defaultAction', { exitCode: 2 });
  }
  if ((profile.architectures?.length ?? 0) > 0 && (profile.archMap?.length ?? 0) > 0) {
    throw new CrbenchError('SECCOMP_PROFILE_INVALID', 'the seccomp profile names both architectures and archMap: use one', { exitCode: 2 });
  }
  const architectures = [...(profile.architectures ?? [])];
  const native = SECCOMP_ARCH_OF[target.arch];
  const mapped = profile.archMap?.find((entry) => entry.architecture === native);
  if (mapped) architectures.push(mapped.architecture, ...(mapped.subArchitectures ?? []));

  const syscalls: OciSyscallRule[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (!ruleApplies(rule, target)) continue;
    if (rule.name && (rule.names?.length ?? 0) > 0) {
      throw new CrbenchError('SECCOMP_PROFILE_INVALID', `a seccomp rule names both name (${rule.name}) and names: use one`, { exitCode: 2 });
    }
    const names = rule.name ? [rule.name] : [...(rule.names ?? [])];
    if (names.length === 0) continue;
    syscalls.push({
      names,
      action: rule.action,
      ...(typeof rule.errnoRet === 'number' ? { errnoRet: rule.errnoRet } : {}),
      ...((rule.args?.length ?? 0) > 0 ? { args: rule.args!.map((arg) => ({ index: arg.index, value: arg.value, valueTwo: arg.valueTwo ?? 0, op: arg.op })) } : {}),
    });
  }
  return {
    defaultAction: profile.defaultAction,
    ...(typeof profile.defaultErrnoRet === 'number' ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    ...(architectures.length > 0 ? { architectures } : {}),
    ...((profile.flags?.length ?? 0) > 0 ? { flags: [...profile.flags!] } : {}),
    syscalls,
  };
}

/** What a converted filter lets through, for the manifest. */
export interface SeccompCounts {
  /** Distinct system calls allowed without a condition. */
  syscallsAllowed: number;
  /** Distinct system calls allowed only for some arguments (clone without namespace flags, personality…). */
  syscallsAllowedConditionally: number;
  /** Distinct system calls named by a rule that refuses them (errno, kill…). */
  syscallsDenied: number;
  /** Rules with argument conditions. */
  argumentRules: number;
}

/** Counts the system calls a converted filter allows, with and without conditions, and refuses. */
export function countSeccompRules(seccomp: OciSeccomp): SeccompCounts {
  const allowed = new Set<string>();
  const conditional = new Set<string>();
  const denied = new Set<string>();
  let argumentRules = 0;
  for (const rule of seccomp.syscalls) {
    const conditioned = (rule.args?.length ?? 0) > 0;
    if (conditioned) argumentRules += 1;
    for (const name of rule.names) {
      if (rule.action === 'SCMP_ACT_ALLOW') (conditioned ? conditional : allowed).add(name);
      else denied.add(name);
    }
  }
  for (const name of allowed) conditional.delete(name);
  for (const name of [...allowed, ...conditional]) denied.delete(name);
  return { syscallsAllowed: allowed.size, syscallsAllowedConditionally: conditional.size, syscallsDenied: denied.size, argumentRules };
}
