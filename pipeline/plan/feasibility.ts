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
  | { kind: 'kernelFeature'; name: string; hint: string }
  /** A VM runtime: KVM must be proven usable by starting a guest. */
  | { kind: 'vm' }
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

const overlayFs: Requirement = { kind: 'kernelFilesystem', name: 'overlay', hint: 'modprobe overlay' };
const deviceMapper: Requirement = {
  kind: 'kernelFeature', name: 'device-mapper',
  hint: 'no /dev/mapper/control: the kernel has no device-mapper (CONFIG_BLK_DEV_DM; modprobe dm_mod)',
};
const notPackaged = (what: string): Requirement => ({
  kind: 'unsupported',
  reason: `${what} is not packaged in Debian 12, and crbench has no adapter for it: none could be written and tested on a host with working KVM`,
});

export const AXIS_REQUIREMENTS: Record<Axis, AxisRequirements> = {
  runtime: {
    values: {
      runc: [binary('runc', 'apt-get install runc')],
      crun: [
        binary('crun', 'apt-get install crun'),
        // crun cannot create containers under a hybrid cgroup hierarchy on its own; the
        // adapter runs it in a mount namespace without the cgroup2 mount, which needs these two.
        binary('nsenter', 'apt-get install util-linux', { when: HYBRID_CGROUPS, purpose: HYBRID_WORKAROUND }),
        binary('unshare', 'apt-get install util-linux', { when: HYBRID_CGROUPS, purpose: HYBRID_WORKAROUND }),
      ],
      runsc: [binary('runsc', 'apt-get install runsc')],
      docker: [binary('dockerd', 'apt-get install docker.io'), binary('containerd', 'apt-get install containerd')],
      'docker-cli': [
        binary('dockerd', 'apt-get install docker.io'), binary('containerd', 'apt-get install containerd'),
        binary('docker', 'apt-get install docker.io'),
      ],
      // Podman's default runtime is crun, which refuses hybrid cgroups; the adapter uses runc there.
      podman: [binary('podman', 'apt-get install podman'), binary('runc', 'apt-get install runc', { when: HYBRID_CGROUPS, purpose: 'as podman\'s runtime under hybrid cgroups' })],
      lxc: ['lxc-create', 'lxc-copy', 'lxc-start', 'lxc-attach', 'lxc-stop', 'lxc-destroy', 'lxc-info', 'lxc-ls'].map((name) => binary(name, 'apt-get install lxc')),
      // LXD's client is also called lxc (not LXC's lxc-* tools).
      lxd: [binary('lxd', 'apt-get install lxd'), binary('lxc', 'apt-get install lxd-client')],
      kata: [{ kind: 'vm' }, binary('kata-runtime', 'Kata Containers is not packaged in Debian 12'), notPackaged('Kata Containers')],
      firecracker: [{ kind: 'vm' }, binary('firecracker', 'Firecracker is not packaged in Debian 12'), notPackaged('Firecracker')],
      'qemu-microvm': [
        { kind: 'vm' }, binary('qemu-system-x86_64', 'apt-get install qemu-system-x86'),
        { kind: 'unsupported', reason: 'crbench has no qemu-microvm adapter yet: none could be written and tested on a host with working KVM' },
      ],
    },
  },
  storageDriver: {
    values: {
      // Pipeline-made root filesystems, for runc, crun and runsc.
      copy: [],
      overlay: [overlayFs],
      'btrfs-snapshot': [binary('btrfs', 'apt-get install btrfs-progs')],
      'xfs-reflink': [],
      'zfs-clone': [binary('zfs', 'install zfsutils-linux from Debian contrib')],
      // The runtimes' own drivers.
      overlay2: [overlayFs],
      btrfs: [],
      zfs: [binary('zfs', 'install zfsutils-linux from Debian contrib')],
      vfs: [],
      devicemapper: [deviceMapper],
      'fuse-overlayfs': [binary('fuse-overlayfs', 'apt-get install fuse-overlayfs'), { kind: 'kernelFilesystem', name: 'fuse', hint: 'modprobe fuse' }],
      aufs: [{ kind: 'unsupported', reason: 'storage driver aufs was deprecated in Docker 20.10 and removed in Docker 24, and aufs never entered the mainline kernel: it cannot be measured' }],
      // lxc-copy copies a dir container with rsync, which Debian's lxc only recommends.
      dir: [binary('rsync', 'apt-get install rsync')],
      overlayfs: [overlayFs],
      lvm: [deviceMapper, binary('lvcreate', 'apt-get install lvm2')],
    },
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
    values: {
      // A static busybox copied into an empty root filesystem.
      tiny: [binary('busybox', 'apt-get install busybox-static')],
      // A Debian minbase root built with debootstrap from the host's apt mirror, carrying the
      // host's busybox too (the cpu workload runs the same awk in every image).
      grader: [binary('debootstrap', 'apt-get install debootstrap'), binary('busybox', 'apt-get install busybox-static')],
    },
  },
  workload: {
    values: { noop: [], cpu: [], write: [], 'copy-up': [], 'grade-c': [], 'grade-python': [], 'limit-memory': [], 'limit-pids': [], 'limit-network': [], 'probe-security': [] },
  },
  // Any number of containers at once; the schema bounds it.
  concurrency: { values: {}, otherwise: [] },
};

const OCI_RUNTIMES = ['runc', 'crun', 'runsc'];
const ALL_FILESYSTEMS = ['ext4', 'xfs', 'btrfs', 'zfs'];
// overlay cannot use zfs as its upper layer (before OpenZFS 2.2), and moby refuses it too.
const OVERLAY_FILESYSTEMS = ['ext4', 'xfs', 'btrfs'];

/**
 * Which runtimes and filesystems each storage driver works with: one row per driver and
 * family of runtimes, since a name like `overlay` or `btrfs` means a different mechanism
 * to podman than to the pipeline or to LXC.
 */
export const STORAGE_DRIVER_SUPPORT: Record<string, { runtimes: string[]; filesystems: string[] }[]> = {
  copy: [{ runtimes: OCI_RUNTIMES, filesystems: ALL_FILESYSTEMS }],
  overlay: [{ runtimes: [...OCI_RUNTIMES, 'podman'], filesystems: OVERLAY_FILESYSTEMS }],
  'btrfs-snapshot': [{ runtimes: OCI_RUNTIMES, filesystems: ['btrfs'] }],
  'xfs-reflink': [{ runtimes: OCI_RUNTIMES, filesystems: ['xfs'] }],
  'zfs-clone': [{ runtimes: OCI_RUNTIMES, filesystems: ['zfs'] }],
  overlay2: [{ runtimes: ['docker', 'docker-cli'], filesystems: OVERLAY_FILESYSTEMS }],
  btrfs: [{ runtimes: ['docker', 'docker-cli', 'podman', 'lxc', 'lxd'], filesystems: ['btrfs'] }],
  zfs: [{ runtimes: ['docker', 'docker-cli', 'podman', 'lxc', 'lxd'], filesystems: ['zfs'] }],
  vfs: [{ runtimes: ['docker', 'docker-cli', 'podman'], filesystems: ALL_FILESYSTEMS }],
  devicemapper: [{ runtimes: ['docker', 'docker-cli'], filesystems: ALL_FILESYSTEMS }],
  'fuse-overlayfs': [{ runtimes: ['docker', 'docker-cli'], filesystems: ALL_FILESYSTEMS }],
  aufs: [{ runtimes: ['docker', 'docker-cli'], filesystems: ALL_FILESYSTEMS }],
  dir: [{ runtimes: ['lxc', 'lxd'], filesystems: ALL_FILESYSTEMS }],
  overlayfs: [{ runtimes: ['lxc'], filesystems: OVERLAY_FILESYSTEMS }],
  lvm: [{ runtimes: ['lxc', 'lxd'], filesystems: ALL_FILESYSTEMS }],
};

/** What each image offers a workload beyond a POSIX shell and coreutils (busybox counts). */
export const IMAGE_PROVIDES: Record<string, string[]> = {
  tiny: [],
  grader: ['python3', 'gcc', 'make', 'a large file to modify (/data/large.bin)'],
};

/** What each workload needs from its image. */
export const WORKLOAD_NEEDS: Record<string, string[]> = {
  noop: [], cpu: [], write: [], 'copy-up': ['a large file to modify (/data/large.bin)'],
  'limit-memory': [], 'limit-pids': [], 'limit-network': [],
  'probe-security': [],
  'grade-c': ['gcc', 'make'],
  'grade-python': ['python3'],
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
    case 'kernelFeature':
      return host.kernelFeatures.includes(requirement.name) ? undefined : requirement.hint;
    case 'vm':
      return host.vm.usable ? undefined : `no usable KVM for a VM runtime (${host.vm.reason})`;
    case 'unsupported':
      return requirement.reason;
  }
}
