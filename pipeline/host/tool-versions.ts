import { execFile } from 'node:child_process';

/** How each tool tells its version; the first non-empty line of its answer is kept. */
const VERSION_ARGV: Record<string, string[]> = {
  'runc': ['runc', '--version'],
  'crun': ['crun', '--version'],
  'mkfs.ext4': ['mkfs.ext4', '-V'],
  'mkfs.xfs': ['mkfs.xfs', '-V'],
  'mkfs.btrfs': ['mkfs.btrfs', '--version'],
  'zpool': ['zpool', 'version'],
  // zfs-fuse has no version flag (and its zpool no `version`): its package says.
  'zfs-fuse': ['dpkg-query', '-W', '-f', 'zfs-fuse ${Version}', 'zfs-fuse'],
  'busybox': ['busybox', '--help'],
  'tar': ['tar', '--version'],
  'cp': ['cp', '--version'],
  'nsenter': ['nsenter', '--version'],
  'losetup': ['losetup', '--version'],
  'runsc': ['runsc', '--version'],
  'dockerd': ['dockerd', '--version'],
  'containerd': ['containerd', '--version'],
  'podman': ['podman', '--version'],
  'lxc-start': ['lxc-start', '--version'],
  'lxd': ['lxd', '--version'],
  'fuse-overlayfs': ['fuse-overlayfs', '--version'],
  'debootstrap': ['debootstrap', '--version'],
  'qemu-system-x86_64': ['qemu-system-x86_64', '--version'],
};

function firstLine(argv: string[]): Promise<string | null> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    execFile(file ?? '', args, { timeout: 10_000 }, (error, stdout, stderr) => {
      const line = `${stdout}\n${stderr}`.split('\n').map((text) => text.trim()).find(Boolean);
      const missing = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
      resolve(missing || line === undefined ? null : line);
    });
  });
}

/** Each installed tool's version line, asked from its binary; missing tools are left out. */
export async function askToolVersions(tools: string[]): Promise<Record<string, string>> {
  const versions: Record<string, string> = { node: process.version };
  for (const tool of [...new Set(tools)].sort()) {
    const argv = VERSION_ARGV[tool];
    if (argv === undefined) continue;
    const line = await firstLine(argv);
    if (line !== null) versions[tool] = line;
  }
  return versions;
}

export const VERSIONED_TOOLS = Object.keys(VERSION_ARGV);
