import type { Axis, HostFacts } from '../types.ts';

/**
 * What a cell needs from the host, as data: one list of requirements per axis value, one
 * list every cell shares, and the combinations a storage driver supports. Supporting a new
 * runtime or filesystem is an entry here, not a new `if` in the planner.
 */

/** One thing the host must offer. `hint` says how to get it, for the skip reason. */
export type Requirement =
  | { kind: 'root' }
  | { kind: 'loop' }
  | { kind: 'binary'; name: string; hint: string; when?: HostCondition; purpose?: string }
  | { kind: 'kernelFilesystem'; name: string; hint: string }
  /** Never met: a value the schema accepts but the pipeline cannot run yet. */
  | { kind: 'unsupported'; reason: string };

/** A requirement applies only on hosts matching this, e.g. a workaround for hybrid cgroups. */
export interface HostCondition {
  cgroupMode: HostFacts['cgroupMode'];
}

/** Requirements per value of one axis, and for values the table does not list. */
export interface AxisRequirements {
  values: Record<string, Requirement[]>;
  /** Applies to every value not in `values`; without it such a value is unsupported. */
  otherwise?: Requirement[];
}

const binary = (name: string, hint: string, extra: { when?: HostCondition; purpose?: string } = {}): Requirement => ({
  kind: 'binary',
  name,
  hint,
  ...extra,
});

/** Needed by every cell: provisioning a loop volume and unpacking an image into it. */
export const COMMON_REQUIREMENTS: Requirement[] = [
  { kind: 'root' },
  { kind: 'loop' },
  binary('losetup', 'apt-get install mount'),
  binary('mount', 'apt-get install mount'),
  binary('umount', 'apt-get install mount'),
  binary('truncate', 'apt-get install coreutils'),
  binary('cp', 'apt-get install coreutils'),
  binary('tar', 'apt-get install tar'),
];

const HYBRID_CGROUPS: HostCondition = { cgroupMode: 'hybrid' };
const HYBRID_WORKAROUND = 'for the hybrid-cgroup workaround';

export const AXIS_REQUIREMENTS: Record<Axis, AxisRequirements> = {
  runtime: {
    values: {
      runc: [binary('runc', 'apt-get install runc')],
      crun: [
        binary('crun', 'apt-get install crun'),
        // crun cannot create containers under a hybrid cgroup hierarchy on its own; the
        // adapter runs it in fresh namespaces instead, which needs these two.
        binary('nsenter', 'apt-get install util-linux', { when: HYBRID_CGROUPS, purpose: HYBRID_WORKAROUND }),
        binary('unshare', 'apt-get install util-linux', { when: HYBRID_CGROUPS, purpose: HYBRID_WORKAROUND }),
      ],
    },
  },
  storageDriver: {
    values: { copy: [] },
  },
  filesystem: {
    values: {
      ext4: [
        { kind: 'kernelFilesystem', name: 'ext4', hint: 'modprobe ext4' },
        binary('mkfs.ext4', 'apt-get install e2fsprogs'),
      ],
      xfs: [
        { kind: 'kernelFilesystem', name: 'xfs', hint: 'modprobe xfs' },
        binary('mkfs.xfs', 'apt-get install xfsprogs'),
      ],
      btrfs: [
        { kind: 'kernelFilesystem', name: 'btrfs', hint: 'modprobe btrfs' },
        binary('mkfs.btrfs', 'apt-get install btrfs-progs'),
      ],
      zfs: [
        { kind: 'kernelFilesystem', name: 'zfs', hint: 'install zfs-dkms from Debian contrib, then modprobe zfs' },
        binary('zpool', 'install zfsutils-linux from Debian contrib'),
        binary('zfs', 'install zfsutils-linux from Debian contrib'),
      ],
    },
  },
  image: {
    // The tiny image is a static busybox copied into an empty root filesystem.
    values: { tiny: [binary('busybox', 'apt-get install busybox-static')] },
  },
  workload: {
    values: { noop: [] },
  },
  concurrency: {
    values: { '1': [] },
    otherwise: [{ kind: 'unsupported', reason: 'concurrency above 1 is not implemented yet' }],
  },
};

/** Which runtimes and filesystems each storage driver works with. */
export const STORAGE_DRIVER_SUPPORT: Record<string, { runtimes: string[]; filesystems: string[] }> = {
  // A plain copy of the image works on any filesystem and with any OCI runtime.
  copy: { runtimes: ['runc', 'crun'], filesystems: ['ext4', 'xfs', 'btrfs', 'zfs'] },
};

/** Every binary the table can ask for, sorted, so the host prober knows what to look up. */
export function requiredBinaries(): string[] {
  const all = [COMMON_REQUIREMENTS, ...Object.values(AXIS_REQUIREMENTS).flatMap((axis) => [
    ...Object.values(axis.values),
    axis.otherwise ?? [],
  ])].flat();
  const names = all.flatMap((requirement) => (requirement.kind === 'binary' ? [requirement.name] : []));
  return [...new Set(names)].sort();
}

/** Whether a requirement applies to this host at all (conditional ones may not). */
export function appliesTo(requirement: Requirement, host: HostFacts): boolean {
  return requirement.kind !== 'binary' || requirement.when === undefined || requirement.when.cgroupMode === host.cgroupMode;
}

/** Why `host` does not meet `requirement`, naming what is missing and how to get it; undefined when met. */
export function explainUnmet(requirement: Requirement, host: HostFacts): string | undefined {
  switch (requirement.kind) {
    case 'root':
      return host.isRoot ? undefined : 'not running as root (loop devices and mounts need it; run with sudo)';
    case 'loop':
      return host.loopControl ? undefined : 'no loop device support (/dev/loop-control missing; modprobe loop)';
    case 'binary': {
      if (host.binaries[requirement.name]) return undefined;
      const purpose = requirement.purpose === undefined ? '' : ` ${requirement.purpose}`;
      return `binary '${requirement.name}' not found${purpose} (${requirement.hint})`;
    }
    case 'kernelFilesystem':
      return host.kernelFilesystems.includes(requirement.name)
        ? undefined
        : `the kernel has no ${requirement.name} support (not in /proc/filesystems; ${requirement.hint})`;
    case 'unsupported':
      return requirement.reason;
  }
}
