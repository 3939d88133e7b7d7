import { existsSync, readFileSync } from 'node:fs';
import type { HostFacts } from '../../types.ts';
import type { ContainerLimits } from '../limits.ts';
import { CPU_PERIOD_US } from '../oci-config.ts';
import type { LxcSecurity } from '../security/lxc-security.ts';

/** The distribution-wide LXC configuration its templates include: seccomp, dropped capabilities, device cgroup. */
export const LXC_COMMON_CONFIG = '/usr/share/lxc/config/common.conf';

/** What LXC's and LXD's configuration depends on besides the cgroup mode. */
export interface LxcHostFacts {
  /** lxcfs is serving /proc files (a fuse.lxcfs mount): its LXC hooks do something. */
  lxcfsRunning: boolean;
  /** AppArmor is enabled in the kernel, so LXC's default profile confines the container. */
  apparmorEnabled: boolean;
  /** The v1 memory controller accounts swap (memory.memsw.*), as runc's `swap` limit needs. */
  swapAccounting: boolean;
}

export function probeLxcHostFacts(): LxcHostFacts {
  let mounts = '';
  let apparmor = '';
  try { mounts = readFileSync('/proc/mounts', 'utf8'); } catch { /* no /proc */ }
  try { apparmor = readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8'); } catch { /* no AppArmor */ }
  return {
    lxcfsRunning: mounts.split('\n').some((line) => line.split(' ')[2] === 'fuse.lxcfs'),
    apparmorEnabled: apparmor.trim() === 'Y',
    swapAccounting: existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'),
  };
}

export const LXCFS_HOOKS_WORKAROUND =
  'Debian\'s lxcfs package hooks into every container that includes LXC\'s common configuration ' +
  '(/usr/share/lxc/config/common.conf.d/00-lxcfs.conf): a mount hook and a post-stop hook that sleeps 0.5 s; ' +
  'lxcfs is not running here, so crbench left these hooks out (measured with them, every stop takes about 0.5 s longer)';

/**
 * The configuration of the group's base container, which `lxc-copy` copies into every
 * container made from it. The init only sleeps; the workload runs through `lxc-attach`, as
 * with the OCI runtimes. Limits go to the cgroup hierarchy that holds the controller: the
 * v1 keys on v1 and hybrid hosts (hybrid keeps memory and pids in v1), the v2 keys on v2.
 *
 * `security` (from buildLxcSecurity in security/lxc-security.ts) gives the container Docker's
 * default confinement in place of LXC's distribution defaults: Docker's capabilities
 * (`lxc.cap.keep`), no_new_privs, Docker's seccomp profile as an LXC allowlist (the caller
 * writes `security.seccompPolicy.text` at the path it was built with), Docker's masked and
 * read-only paths. Without it the container has LXC's own: its common seccomp denylist (five
 * system calls) and every capability but five, which is less than the OCI runtimes get.
 */
export function buildLxcConfig(options: { limits: ContainerLimits; cgroupMode: HostFacts['cgroupMode']; facts: LxcHostFacts; initArgv?: string[]; security?: LxcSecurity }): string {
  const { limits, facts } = options;
  const memory = String(limits.memoryBytes);
  const cgroupLimits = options.cgroupMode === 'v2'
    ? [
      `lxc.cgroup2.memory.max = ${memory}`,
      ...(facts.swapAccounting ? ['lxc.cgroup2.memory.swap.max = 0'] : []),
      `lxc.cgroup2.pids.max = ${limits.pids}`,
      `lxc.cgroup2.cpu.max = ${Math.round(limits.cpus * CPU_PERIOD_US)} ${CPU_PERIOD_US}`,
    ]
    : [
      `lxc.cgroup.memory.limit_in_bytes = ${memory}`,
      ...(facts.swapAccounting ? [`lxc.cgroup.memory.memsw.limit_in_bytes = ${memory}`] : []),
      `lxc.cgroup.pids.max = ${limits.pids}`,
      `lxc.cgroup.cpu.cfs_quota_us = ${Math.round(limits.cpus * CPU_PERIOD_US)}`,
      `lxc.cgroup.cpu.cfs_period_us = ${CPU_PERIOD_US}`,
    ];
  const lines = [
    '# crbench: the configuration of every container of this group (lxc-copy copies it from the base).',
    '# Seccomp, dropped capabilities and the device cgroup, as LXC\'s distribution templates set them:',
    `lxc.include = ${LXC_COMMON_CONFIG}`,
    ...(options.security?.configLines ?? []),
    ...(facts.lxcfsRunning ? [] : [
      '# lxcfs is not running: drop the hooks its package adds (a post-stop hook sleeps 0.5 s).',
      'lxc.hook.mount =',
      'lxc.hook.post-stop =',
    ]),
    '# No network: a network namespace with a loopback only.',
    'lxc.net.0.type = empty',
    ...(facts.apparmorEnabled ? [] : ['# AppArmor is not enabled in this kernel.', 'lxc.apparmor.profile = unconfined']),
    `lxc.init.cmd = ${(options.initArgv ?? ['/bin/sleep', '86400']).join(' ')}`,
    ...cgroupLimits,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The lxc-create template that fills the base container's rootfs (already made and mounted
 * by LXC with the chosen backing store) from the image tarball given as `--tarball`.
 */
export const LXC_UNPACK_TEMPLATE = `#!/bin/sh
# crbench's lxc-create template: unpacks the image tarball (--tarball FILE) into the
# rootfs LXC prepared with the chosen backing store (--rootfs DIR, passed by lxc-create).
set -eu
rootfs=''
tarball=''
while [ $# -gt 0 ]; do
  case "$1" in
    --rootfs=*) rootfs="\${1#--rootfs=}" ;;
    --rootfs) rootfs="$2"; shift ;;
    --tarball=*) tarball="\${1#--tarball=}" ;;
    --tarball) tarball="$2"; shift ;;
  esac
  shift
done
if [ -z "$rootfs" ] || [ -z "$tarball" ]; then
  echo "usage: crbench-unpack --rootfs DIR --tarball FILE" >&2
  exit 2
fi
exec tar --numeric-owner -xpf "$tarball" -C "$rootfs"
`;
