import type { Axis, HostFacts, Lifecycle } from '../types.ts';

/** The images of known sizes on top of tiny (provision/images/sized.ts registers the same names). */
export const SIZED_IMAGE_NAMES = ['sized-64m', 'sized-256m', 'sized-1g'] as const;

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
      // Under TCG (emulated) wherever KVM is not usable: `qemu-microvm+tcg`; `+kvm` needs a guest proven to run.
      'qemu-microvm': [
        binary('qemu-system-x86_64', 'apt-get install qemu-system-x86'), binary('busybox', 'apt-get install busybox-static'),
        binary('mksquashfs', 'apt-get install squashfs-tools'), binary('cpio', 'apt-get install cpio'),
        binary('apt-get', 'the guest kernel is Debian\'s, fetched with apt-get download'), binary('dpkg-deb', 'apt-get install dpkg'),
      ],
    },
  },
  storageDriver: {
    values: {
      // Pipeline-made root filesystems, for runc, crun and runsc.
      copy: [],
      // The image's root bind-mounted read-only, tmpfs /tmp and /task (pipeline/run/storage/bind.ts).
      bind: [],
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
      initramfs: [],
      'disk-overlay': [],
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
        { kind: 'kernelFilesystem', name: 'zfs', hint: 'zfs kernel module missing: install zfs-dkms from Debian contrib, then modprobe zfs' },
        binary('zpool', 'install zfsutils-linux from Debian contrib'),
        binary('zfs', 'install zfsutils-linux from Debian contrib'),
      ],
      // ZFS in user space: a daemon of the volume's own serves the pool through FUSE.
      'zfs-fuse': [
        binary('zfs-fuse', 'apt-get install zfs-fuse'),
        binary('zpool', 'apt-get install zfs-fuse'),
        binary('zfs', 'apt-get install zfs-fuse'),
        { kind: 'kernelFilesystem', name: 'fuse', hint: 'modprobe fuse' },
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
      // tiny plus padding files of known sizes (provision/images/sized.ts).
      ...Object.fromEntries(SIZED_IMAGE_NAMES.map((name) => [name, [binary('busybox', 'apt-get install busybox-static')]])),
    },
  },
  workload: {
    values: { noop: [], cpu: [], write: [], 'copy-up': [], 'grade-c': [], 'grade-python': [], 'limit-memory': [], 'limit-pids': [], 'limit-network': [], 'probe-security': [], 'inginious-task': [], 'inginious-task-python': [] },
  },
  lifecycle: { values: { exec: [], command: [] } },
  netns: {
    values: {
      fresh: [],
      // unshare makes the pool's namespaces, nsenter and ip check each one before it is reused.
      reused: [binary('ip', 'apt-get install iproute2'), binary('unshare', 'apt-get install util-linux'), binary('nsenter', 'apt-get install util-linux')],
      host: [],
    },
  },
  cgroup: { values: { fresh: [], reused: [] } },
  // Any number of containers at once; the schema bounds it.
  concurrency: { values: {}, otherwise: [] },
};

/** The runtimes that can run behind a daemon runtime (`docker+crun`), and the engines that take one. */
export const OCI_BEHIND_ENGINE = { engines: ['docker', 'docker-cli', 'podman'], oci: ['runc', 'crun', 'runsc', 'kata'] };

/** The accelerators a VM runtime takes after its `+` (`qemu-microvm+tcg`), and what each needs. */
export const VM_ACCELERATORS: Record<string, { accelerators: string[] }> = { 'qemu-microvm': { accelerators: ['tcg', 'kvm'] } };
export const ACCELERATOR_REQUIREMENTS: Record<string, Requirement[]> = { tcg: [], kvm: [{ kind: 'vm' }] };

/**
 * Images a storage driver cannot hold, with why: a microVM's initramfs is the whole root in the
 * guest's 256 MiB of RAM (the grader image would need about 800 MiB: provision/vm/initramfs.ts).
 */
export const DRIVER_IMAGE_LIMITS: Record<string, { images: string[]; reason: string }> = {
  initramfs: { images: ['tiny'], reason: 'an initramfs holds the whole root in the guest\'s 256 MiB of RAM: only the tiny image fits beside a workload (use disk-overlay)' },
};

/** What a `+oci` runtime needs beyond its engine: the OCI runtime's binary, and kata's own. */
export const OCI_REQUIREMENTS: Record<string, Requirement[]> = {
  runc: [binary('runc', 'apt-get install runc')],
  crun: [
    binary('crun', 'apt-get install crun'),
    binary('nsenter', 'apt-get install util-linux', { when: HYBRID_CGROUPS, purpose: HYBRID_WORKAROUND }),
  ],
  runsc: [binary('runsc', 'apt-get install runsc')],
  kata: [binary('kata-runtime', 'Kata Containers is not packaged in Debian 12'), { kind: 'vm' }],
};

/**
 * Axis values only some runtimes (engines) have, with why not: checked like the storage
 * drivers' table, and skipped as impossible by design elsewhere.
 */
export const AXIS_VALUE_SUPPORT: { axis: 'lifecycle' | 'netns' | 'cgroup' | 'workload'; values: string[]; engines: string[]; reason: string }[] = [
  {
    axis: 'lifecycle', values: ['command'], engines: ['runc', 'crun', 'runsc', 'docker', 'docker-cli', 'podman', 'lxc', 'qemu-microvm'],
    reason: 'LXD has no way to run a workload as a container\'s own process: its instances always boot an init',
  },
  {
    axis: 'workload', values: ['inginious-task', 'inginious-task-python'], engines: ['runc', 'crun', 'runsc', 'docker', 'docker-cli', 'podman', 'lxc'],
    reason: 'an INGInious submission runs its grading container\'s command, which LXD cannot (its instances boot an init), and bind-mounts host ' +
      'folders, which LXD\'s unprivileged (idmapped) containers take only as disk devices added per instance and shifted; crbench does neither',
  },
  {
    axis: 'netns', values: ['reused', 'host'], engines: ['runc', 'crun'],
    reason: 'only runc and crun join the network namespace crbench names (or none): runsc --network=none puts its sandbox in a namespace ' +
      'of its own whatever the OCI config says (seen with runsc 2022-12-19, with a path and with no entry alike), and crbench has ' +
      'no pool of holder containers for a daemon runtime (Docker\'s --network container:<id>)',
  },
  {
    axis: 'cgroup', values: ['reused'], engines: ['runc', 'crun'],
    reason: 'crbench hands a pooled cgroup through cgroupsPath to runc and crun only; runsc puts its sandbox\'s processes under that path ' +
      'and was not tried, and the daemon runtimes make their own',
  },
];

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
  copy: [{ runtimes: OCI_RUNTIMES, filesystems: ALL_FILESYSTEMS }, { runtimes: OCI_RUNTIMES, filesystems: ['zfs-fuse'] }],
  overlay: [{ runtimes: [...OCI_RUNTIMES, 'podman'], filesystems: OVERLAY_FILESYSTEMS }],
  'btrfs-snapshot': [{ runtimes: OCI_RUNTIMES, filesystems: ['btrfs'] }],
  'xfs-reflink': [{ runtimes: OCI_RUNTIMES, filesystems: ['xfs'] }],
  bind: [{ runtimes: OCI_RUNTIMES, filesystems: ALL_FILESYSTEMS }],
  'zfs-clone': [{ runtimes: OCI_RUNTIMES, filesystems: ['zfs'] }, { runtimes: OCI_RUNTIMES, filesystems: ['zfs-fuse'] }],
  overlay2: [{ runtimes: ['docker', 'docker-cli'], filesystems: OVERLAY_FILESYSTEMS }],
  btrfs: [{ runtimes: ['docker', 'docker-cli', 'podman', 'lxc', 'lxd'], filesystems: ['btrfs'] }],
  zfs: [{ runtimes: ['docker', 'docker-cli', 'podman', 'lxc', 'lxd'], filesystems: ['zfs'] }],
  vfs: [{ runtimes: ['docker', 'docker-cli', 'podman'], filesystems: ALL_FILESYSTEMS }],
  devicemapper: [{ runtimes: ['docker', 'docker-cli'], filesystems: ALL_FILESYSTEMS }],
  // fuse-overlayfs is FUSE on FUSE on zfs-fuse, and works (unlike the kernel's overlay).
  'fuse-overlayfs': [{ runtimes: ['docker', 'docker-cli'], filesystems: ALL_FILESYSTEMS }, { runtimes: ['docker', 'docker-cli'], filesystems: ['zfs-fuse'] }],
  aufs: [{ runtimes: ['docker', 'docker-cli'], filesystems: ALL_FILESYSTEMS }],
  dir: [{ runtimes: ['lxc', 'lxd'], filesystems: ALL_FILESYSTEMS }],
  overlayfs: [{ runtimes: ['lxc'], filesystems: OVERLAY_FILESYSTEMS }],
  lvm: [{ runtimes: ['lxc', 'lxd'], filesystems: ALL_FILESYSTEMS }],
  // A microVM's own: the image as an initramfs (a copy in guest RAM), or a read-only disk under a tmpfs overlay.
  initramfs: [{ runtimes: ['qemu-microvm'], filesystems: ['ext4', 'xfs', 'btrfs'] }],
  'disk-overlay': [{ runtimes: ['qemu-microvm'], filesystems: ['ext4', 'xfs', 'btrfs'] }],
};

/**
 * A storage driver on a filesystem where it was tried for real and refused: what the tool said
 * (`said`, each string as printed, with POOL, BASE, LXCPATH and ID for the names of the
 * attempt) and why. test/integration/zfs-fuse-refusals.test.ts repeats every attempt and
 * fails when a tool no longer says so, so the recorded words cannot go stale silently.
 */
export interface Refusal {
  runtimes: string[];
  said: string[];
  /** `unsupported`, its reason naming the driver, the tool's words and the cause. */
  requirement: Requirement;
}

const refusal = (runtimes: string[], who: string, said: string[], why: string): Refusal => ({
  runtimes, said, requirement: { kind: 'unsupported', reason: `${who}: ${said.map((text) => `"${text}"`).join(', ')} (${why})` },
});

/** What the kernel logs when it refuses an overlay mount whose upper layer is on FUSE (zfs-fuse). */
export const KERNEL_REFUSES_FUSE_UPPER = ['overlayfs: upper fs does not support RENAME_WHITEOUT.', 'overlayfs: upper fs missing required features.'];
const OVERLAY_ON_FUSE = `the kernel refuses overlay with its upper layer on FUSE, logging ${KERNEL_REFUSES_FUSE_UPPER.map((line) => `"${line}"`).join(' and ')}`;
const NO_DEV_ZFS = 'it drives the zfs kernel module through /dev/zfs, which zfs-fuse does not provide';

/**
 * The refusals, keyed `<storage driver> on <filesystem>`; checked before STORAGE_DRIVER_SUPPORT,
 * so a refused combination is skipped with the tool's words. Seen on Debian 12 with zfs-fuse
 * 0.7.0, Docker 20.10, Podman 4.3, LXD 5.0 and LXC 5.0 (2026-12-02).
 */
export const STORAGE_DRIVER_REFUSALS: Record<string, Refusal[]> = {
  'zfs on zfs-fuse': [
    refusal(['docker', 'docker-cli'], 'Docker\'s zfs graph driver refuses a FUSE-backed ZFS', [
      'failed to start daemon: error initializing graphdriver: prerequisites for driver not satisfied (wrong filesystem?)',
      'cannot open /dev/zfs: open /dev/zfs: no such file or directory',
    ], `its --debug log says the second; ${NO_DEV_ZFS}`),
    refusal(['podman'], 'Podman\'s zfs driver refuses a FUSE-backed ZFS', [
      'Error: could not open /dev/zfs: open /dev/zfs: no such file or directory: prerequisites for driver not satisfied (wrong filesystem?)',
    ], NO_DEV_ZFS),
    refusal(['lxd'], 'LXD\'s zfs storage pool refuses a FUSE-backed ZFS', [
      'Error: Error loading "zfs" module: Failed to run: modprobe -b zfs: exec: "modprobe": executable file not found in $PATH',
    ], 'lxc storage create POOL zfs source=POOL/lxd: LXD loads the zfs kernel module first, and lists only btrfs and dir among its storage_supported_drivers here'),
    refusal(['lxc'], 'LXC\'s zfs backing store refuses a FUSE-backed ZFS', [
      'zfs_mount: 233 No such device - Failed to mount "POOL/lxc-rootfs/BASE" on "/usr/lib/x86_64-linux-gnu/lxc/rootfs"',
    ], 'lxc-create -B zfs makes the dataset with zfs, then mounts it with mount(2) as filesystem type zfs, which only the kernel module registers'),
  ],
  'overlay on zfs-fuse': [
    refusal(['runc', 'crun', 'runsc'], 'overlay cannot have its upper layer on zfs-fuse', [
      'wrong fs type, bad option, bad superblock on overlay, missing codepage or helper program, or other error',
    ], `mount -t overlay with upperdir on the volume; ${OVERLAY_ON_FUSE}`),
    refusal(['podman'], 'Podman\'s overlay driver on zfs-fuse is not the kernel\'s overlay', [
      'Native Overlay Diff: "false"',
    ], `${OVERLAY_ON_FUSE}; containers/storage then silently mounts its layers with fuse-overlayfs (overlay/.has-mount-program: true), which the cell would measure under the name overlay`),
  ],
  'overlay2 on zfs-fuse': [
    refusal(['docker', 'docker-cli'], 'Docker\'s overlay2 driver refuses zfs-fuse', [
      'failed to start daemon: error initializing graphdriver: driver not supported',
      'failed to mount overlay: invalid argument',
    ], OVERLAY_ON_FUSE),
  ],
  'overlayfs on zfs-fuse': [
    refusal(['lxc'], 'LXC\'s overlayfs clone cannot have its upper layer on zfs-fuse', [
      'ovl_mount: 490 Invalid argument - Failed to mount "LXCPATH/BASE/rootfs" on "/usr/lib/x86_64-linux-gnu/lxc/rootfs" with options "upperdir=LXCPATH/ID/overlay/delta,lowerdir=LXCPATH/BASE/rootfs"',
    ], `lxc-copy -s -B overlayfs, in its words with -l ERROR (without, it fails saying nothing); ${OVERLAY_ON_FUSE}`),
  ],
};

/** The refusal reasons of a runtime (an engine: docker for docker+crun) with a driver on a filesystem. */
export function refusalsOf(runtime: string, storageDriver: string, filesystem: string): string[] {
  return (STORAGE_DRIVER_REFUSALS[`${storageDriver} on ${filesystem}`] ?? [])
    .filter((entry) => entry.runtimes.includes(runtime))
    .flatMap((entry) => (entry.requirement.kind === 'unsupported' ? [entry.requirement.reason] : []));
}

/** What each image offers a workload beyond a POSIX shell and coreutils (busybox counts). */
export const IMAGE_PROVIDES: Record<string, string[]> = {
  tiny: [],
  grader: ['python3', 'gcc', 'make', 'a large file to modify (/data/large.bin)'],
  ...Object.fromEntries(SIZED_IMAGE_NAMES.map((name) => [name, []])),
};

/** What each workload needs from its image. */
export const WORKLOAD_NEEDS: Record<string, string[]> = {
  noop: [], cpu: [], write: [], 'copy-up': ['a large file to modify (/data/large.bin)'],
  'limit-memory': [], 'limit-pids': [], 'limit-network': [],
  'probe-security': [],
  'grade-c': ['gcc', 'make'],
  'grade-python': ['python3'],
  'inginious-task': ['gcc', 'make', 'python3'],
  'inginious-task-python': ['python3'],
};

/** Workloads that exist in one life-cycle shape only: an INGInious submission is its grading container's command. */
export const WORKLOAD_LIFECYCLES: Record<string, Lifecycle[]> = { 'inginious-task': ['command'], 'inginious-task-python': ['command'] };

/**
 * Where each workload writes in the container (a path, and what it writes there), for the
 * storage drivers that leave only some directories writable. `/` stands for "the root
 * filesystem itself": write checks that its file in /tmp is on the root.
 */
export const WORKLOAD_WRITES: Record<string, { path: string; what: string }[]> = {
  noop: [], cpu: [], 'limit-memory': [], 'limit-pids': [], 'limit-network': [], 'probe-security': [],
  write: [{ path: '/', what: 'a 64 MiB file on the root filesystem (in /tmp, which it checks is on the root)' }],
  'copy-up': [{ path: '/data/large.bin', what: 'a block of the image\'s /data/large.bin, in place' }],
  'grade-c': [{ path: '/tmp', what: 'its build folder' }],
  // python3 -B writes no .pyc next to the submission.
  'grade-python': [],
  // Its task and student folders are bind mounts; the runtime makes their mount points on the root.
  'inginious-task': [{ path: '/', what: 'the mount points /task, /sockets and /course/common, made on the root by its runtime' }],
  'inginious-task-python': [{ path: '/', what: 'the mount points /task, /sockets and /course/common, made on the root by its runtime' }],
};

/** The only directories a container may write under a storage driver that keeps the root read-only. */
export const STORAGE_DRIVER_WRITABLE: Record<string, string[]> = { bind: ['/tmp', '/task'] };

const isBelow = (dir: string, candidate: string) => candidate === dir || candidate.startsWith(`${dir}/`);

/** Why a workload cannot run on a driver's read-only root (it writes elsewhere); empty when it can. */
export function readOnlyRootConflicts(storageDriver: string, workload: string): string[] {
  const writable = STORAGE_DRIVER_WRITABLE[storageDriver];
  if (writable === undefined) return [];
  const writes = WORKLOAD_WRITES[workload];
  if (writes === undefined) return [`storage driver ${storageDriver} keeps the root read-only, and WORKLOAD_WRITES does not say where workload ${workload} writes`];
  return writes.filter((write) => !writable.some((dir) => isBelow(dir, write.path)))
    .map((write) => `workload ${workload} writes ${write.what}, but storage driver ${storageDriver} keeps the root read-only (only ${writable.join(' and ')} are writable)`);
}

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
