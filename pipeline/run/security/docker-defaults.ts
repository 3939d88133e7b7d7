/**
 * Docker 20.10's defaults for a container, which crbench gives every container it compares
 * (moby v20.10: oci/caps/defaults.go, oci/defaults.go; the seccomp policy is the one Debian
 * ships in Docker's format with containers-common).
 */

/** Where Debian's containers-common (golang-github-containers-common) puts Docker's default seccomp policy. */
export const SECCOMP_PROFILE_PATH = '/usr/share/containers/seccomp.json';

/** The Debian packages that ship SECCOMP_PROFILE_PATH, for the message when it is missing. */
export const SECCOMP_PROFILE_PACKAGES = ['containers-common', 'golang-github-containers-common'];

/**
 * Docker's default capabilities (moby 20.10 oci/caps.DefaultCapabilities), in its order. They
 * are the bounding, effective and permitted sets; Docker leaves the ambient set empty, so a
 * non-root process started in the container gets none of them.
 */
export const DOCKER_DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
] as const;

/** Paths Docker hides from a container (moby 20.10 oci.DefaultSpec): /dev/null over files, an empty read-only tmpfs over directories. */
export const DOCKER_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
] as const;

/** Paths Docker makes read-only in a container (moby 20.10 oci.DefaultSpec). */
export const DOCKER_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'] as const;

/**
 * Docker sets no_new_privs only when asked (`--security-opt no-new-privileges`); crbench asks,
 * for every runtime, because INGInious runs untrusted code and a setuid binary in an image
 * should not raise a student's process above the container's root.
 */
export const NO_NEW_PRIVILEGES = true;

/**
 * The capability bits of the Linux ABI (include/uapi/linux/capability.h), for the CapEff mask
 * a process inside the container reports.
 */
const CAPABILITY_BITS: Record<string, number> = {
  CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_DAC_READ_SEARCH: 2, CAP_FOWNER: 3, CAP_FSETID: 4, CAP_KILL: 5, CAP_SETGID: 6,
  CAP_SETUID: 7, CAP_SETPCAP: 8, CAP_LINUX_IMMUTABLE: 9, CAP_NET_BIND_SERVICE: 10, CAP_NET_BROADCAST: 11, CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13, CAP_IPC_LOCK: 14, CAP_IPC_OWNER: 15, CAP_SYS_MODULE: 16, CAP_SYS_RAWIO: 17, CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19, CAP_SYS_PACCT: 20, CAP_SYS_ADMIN: 21, CAP_SYS_BOOT: 22, CAP_SYS_NICE: 23, CAP_SYS_RESOURCE: 24,
  CAP_SYS_TIME: 25, CAP_SYS_TTY_CONFIG: 26, CAP_MKNOD: 27, CAP_LEASE: 28, CAP_AUDIT_WRITE: 29, CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31, CAP_MAC_OVERRIDE: 32, CAP_MAC_ADMIN: 33, CAP_SYSLOG: 34, CAP_WAKE_ALARM: 35, CAP_BLOCK_SUSPEND: 36,
  CAP_AUDIT_READ: 37, CAP_PERFMON: 38, CAP_BPF: 39, CAP_CHECKPOINT_RESTORE: 40,
};

/**
 * The mask /proc/<pid>/status shows as CapEff for a process holding exactly these
 * capabilities: 16 hex digits, as the kernel prints it. Throws on a name it does not know.
 */
export function capabilityMask(capabilities: readonly string[]): string {
  let mask = 0n;
  for (const name of capabilities) {
    const bit = CAPABILITY_BITS[name];
    if (bit === undefined) throw new Error(`unknown capability ${name}`);
    mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}

/** The capability names of a CapEff mask, in bit order; bits without a name come out as `bit N`. */
export function capabilityNames(mask: string): string[] {
  const value = BigInt(`0x${mask}`);
  const byBit = new Map(Object.entries(CAPABILITY_BITS).map(([name, bit]) => [bit, name]));
  const names: string[] = [];
  for (let bit = 0; bit < 64; bit += 1) if ((value >> BigInt(bit)) & 1n) names.push(byBit.get(bit) ?? `bit ${bit}`);
  return names;
}
