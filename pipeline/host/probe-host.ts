import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostFacts } from '../types.ts';

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** Looks a binary up on PATH plus the sbin directories root's PATH may lack. */
export function findBinary(name: string, envPath = process.env['PATH'] ?? ''): string | null {
  const dirs = [...envPath.split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** hybrid: v1 controllers at /sys/fs/cgroup plus a cgroup2 mount beside them (systemd's "unified"). */
export function cgroupModeOf(mountsText: string): HostFacts['cgroupMode'] {
  const entries = mountsText.split('\n').map((line) => line.split(' '));
  const cgroupRoot = entries.find((fields) => fields[1] === '/sys/fs/cgroup');
  if (cgroupRoot?.[2] === 'cgroup2') return 'v2';
  const hasV1 = entries.some((fields) => fields[2] === 'cgroup');
  const hasV2 = entries.some((fields) => fields[2] === 'cgroup2');
  if (hasV1 && hasV2) return 'hybrid';
  if (hasV1) return 'v1';
  return 'none';
}

function distributionOf(osRelease: string): string {
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1];
  const debianVersion = readOr('/etc/debian_version', '').trim();
  return [pretty ?? 'unknown', debianVersion !== '' ? `(debian_version ${debianVersion})` : ''].filter(Boolean).join(' ');
}

/** What this host offers; plan decides feasibility from it and the manifest records it. */
export function probeHost(binaries: string[]): HostFacts {
  const cpuinfo = readOr('/proc/cpuinfo', '');
  return {
    isRoot: process.getuid?.() === 0,
    kernel: `${os.type()} ${os.release()} ${os.machine()}`,
    distribution: distributionOf(readOr('/etc/os-release', '')),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    cgroupMode: cgroupModeOf(readOr('/proc/mounts', '')),
    kernelFilesystems: readOr('/proc/filesystems', '').split('\n').map((line) => line.split('\t').at(-1)?.trim() ?? '').filter(Boolean),
    binaries: Object.fromEntries([...new Set(binaries)].sort().map((name) => [name, findBinary(name)])),
    loopControl: existsSync('/dev/loop-control'),
    kernelFeatures: existsSync('/dev/mapper/control') ? ['device-mapper'] : [],
    // Only a started guest proves KVM works (nested KVM can fail past /dev/kvm): see probe-vm.ts.
    vm: { usable: false, reason: existsSync('/dev/kvm') ? 'KVM not probed yet' : '/dev/kvm does not exist' },
  };
}
