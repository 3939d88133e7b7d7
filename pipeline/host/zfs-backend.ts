import { readdirSync, readFileSync } from 'node:fs';
import type { HostCheck, HostFacts } from '../types.ts';

/**
 * Which ZFS this host offers: the kernel module's (`zfs` in /proc/filesystems), and zfs-fuse's
 * in user space (its daemon and tools, and FUSE in the kernel). Debian's zfs-fuse conflicts
 * with zfsutils-linux, so where zfs-fuse is installed, zpool and zfs are its own.
 */
export function zfsBackendsOf(host: HostFacts): { kernelModule: boolean; zfsFuse: boolean } {
  return {
    kernelModule: host.kernelFilesystems.includes('zfs'),
    zfsFuse: ['zfs-fuse', 'zpool', 'zfs'].every((name) => Boolean(host.binaries[name])) && host.kernelFilesystems.includes('fuse'),
  };
}

/** Live zfs-fuse processes: one already running is the host's, which crbench uses and never stops. */
export function runningZfsFuse(procDir = '/proc'): number[] {
  return readdirSync(procDir).filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`${procDir}/${pid}/stat`, 'utf8');
      return readFileSync(`${procDir}/${pid}/comm`, 'utf8').trim() === 'zfs-fuse' && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  });
}

/**
 * The doctor's row for zfs-fuse: whether `zfs-fuse` cells can run, that their results are
 * user-space ZFS (never comparable with kernel ZFS), and whether a host daemon runs already.
 * A warning, not a failure, when it is missing: only its cells are skipped.
 */
export function checkZfsFuse(host: HostFacts, version: string | undefined, runningPids: number[] = runningZfsFuse()): HostCheck {
  const { kernelModule, zfsFuse } = zfsBackendsOf(host);
  const name = 'filesystem zfs-fuse';
  if (!zfsFuse) {
    const missing = [...['zfs-fuse', 'zpool', 'zfs'].filter((tool) => !host.binaries[tool]).map((tool) => `${tool} missing`),
      ...(host.kernelFilesystems.includes('fuse') ? [] : ['no fuse in the kernel'])];
    return { name, status: 'warn', detail: `${missing.join('; ')}: zfs-fuse cells are skipped`, fix: 'apt-get install zfs-fuse (and modprobe fuse)' };
  }
  const module = kernelModule ? 'the zfs kernel module is loaded too' : 'zfs kernel module missing: kernel zfs cells are skipped';
  const daemon = runningPids.length > 0 ? `; a zfs-fuse daemon runs already (pid ${runningPids.join(', ')}): crbench uses it and never stops it` : '';
  return { name, status: 'ok', detail: `${version ?? 'zfs-fuse'}, user-space ZFS (never comparable with kernel ZFS); ${module}${daemon}`, fix: '' };
}
