import { existsSync } from 'node:fs';
import path from 'node:path';
import { requiredBinaries, AXIS_REQUIREMENTS } from '../plan/feasibility.ts';
import { runHostChecks, type HostCheck } from '../host/host-checks.ts';
import { probeHost } from '../host/probe-host.ts';
import { checkZfsFuse, zfsBackendsOf } from '../host/zfs-backend.ts';
import { askToolVersions, VERSIONED_TOOLS } from '../host/tool-versions.ts';
import type { HostFacts } from '../types.ts';

/** What a filesystem needs, for its row: the kernel driver and the tool that makes it. */
const FILESYSTEM_TOOLS: Record<string, { tool: string; package: string }> = {
  ext4: { tool: 'mkfs.ext4', package: 'e2fsprogs' },
  xfs: { tool: 'mkfs.xfs', package: 'xfsprogs' },
  btrfs: { tool: 'mkfs.btrfs', package: 'btrfs-progs' },
  zfs: { tool: 'zpool', package: 'zfsutils-linux (Debian contrib) and the zfs kernel module' },
};

function row(name: string, ok: boolean, detail: string, fix: string, warnOnly = false): HostCheck {
  return { name, status: ok ? 'ok' : warnOnly ? 'warn' : 'fail', detail, fix: ok ? '' : fix };
}

function runtimeRows(host: HostFacts, versions: Record<string, string>): HostCheck[] {
  return Object.entries(AXIS_REQUIREMENTS.runtime.values).map(([runtime, requirements]) => {
    const binaries = requirements.flatMap((requirement) => (requirement.kind === 'binary' && (requirement.when === undefined || requirement.when.cgroupMode === host.cgroupMode) ? [requirement] : []));
    const missing = binaries.filter((binary) => !host.binaries[binary.name]);
    const vmMissing = requirements.some((requirement) => requirement.kind === 'vm') && !host.vm.usable;
    const unsupported = requirements.find((requirement) => requirement.kind === 'unsupported');
    const version = versions[runtime] ?? binaries.map((binary) => versions[binary.name]).find(Boolean) ?? '';
    const problems = [...missing.map((binary) => `'${binary.name}' missing (${binary.hint})`), ...(vmMissing ? [`no usable KVM (${host.vm.reason})`] : []), ...(unsupported?.kind === 'unsupported' ? [unsupported.reason] : [])];
    return row(`runtime ${runtime}`, problems.length === 0, problems.length === 0 ? (version || host.binaries[binaries[0]?.name ?? ''] || 'present') : problems.join('; '), problems.length > 0 ? 'see the detail' : '', unsupported !== undefined || vmMissing);
  });
}

/**
 * Checks the host for everything crbench needs, row by row, each with what to install or
 * change. `plan` decides feasibility from the same facts (probeHost), so a row that fails
 * here is a reason a cell is skipped there.
 */
export async function runDoctor(workDir: string, host: HostFacts = probeHost(requiredBinaries())): Promise<HostCheck[]> {
  const versions = await askToolVersions(VERSIONED_TOOLS.filter((tool) => host.binaries[tool]));
  const rows: HostCheck[] = [
    row('root', host.isRoot, host.isRoot ? 'running as root' : 'not root', 'run crbench as root (loop devices, mkfs and mount need it)'),
    row('loop devices', host.loopControl, host.loopControl ? '/dev/loop-control present' : '/dev/loop-control missing', 'modprobe loop'),
    row('cgroup mode', host.cgroupMode !== 'none', host.cgroupMode === 'hybrid' ? 'hybrid (crun runs through a namespace workaround, applied by itself)' : host.cgroupMode,
      'mount cgroups (v1 controllers or cgroup2)'),
    row('device-mapper', host.kernelFeatures.includes('device-mapper'), host.kernelFeatures.includes('device-mapper') ? 'present' : 'no /dev/mapper/control: devicemapper and lvm cells are skipped',
      'a kernel with CONFIG_BLK_DEV_DM (modprobe dm_mod)', true),
    row('KVM', host.vm.usable, host.vm.usable ? 'a guest started' : host.vm.reason, 'VM runtimes (kata, firecracker, qemu-microvm) need working, non-nested KVM', true),
  ];
  for (const [filesystem, { tool, package: pkg }] of Object.entries(FILESYSTEM_TOOLS)) {
    const inKernel = host.kernelFilesystems.includes(filesystem);
    const hasTool = Boolean(host.binaries[tool]);
    // With zfs-fuse installed, zpool is its own (the packages conflict) and cannot tell a version.
    const zfsFuseTools = filesystem === 'zfs' && zfsBackendsOf(host).zfsFuse;
    rows.push(row(`filesystem ${filesystem}`, inKernel && hasTool,
      [inKernel ? 'in the kernel' : filesystem === 'zfs' ? 'zfs kernel module missing' : 'not in the kernel',
        hasTool ? (zfsFuseTools ? 'zpool is zfs-fuse\'s' : (versions[tool] ?? tool)) : `${tool} missing`].join('; '),
      `${inKernel ? '' : `modprobe ${filesystem}; `}apt-get install ${pkg}`, filesystem === 'zfs'));
  }
  rows.push(checkZfsFuse(host, versions['zfs-fuse']));
  for (const [name, needed] of [['overlay', 'overlay and overlay2 drivers'], ['fuse', 'fuse-overlayfs']] as const) {
    rows.push(row(`kernel ${name}`, host.kernelFilesystems.includes(name), host.kernelFilesystems.includes(name) ? 'in the kernel' : `missing: ${needed} cells are skipped`, `modprobe ${name}`, true));
  }
  rows.push(...runtimeRows(host, versions));
  rows.push(...runHostChecks(existsSync(workDir) ? workDir : path.dirname(workDir), 10 * 1024 ** 3).checks);
  return rows;
}

/** The table people read: status, check, detail, and the fix under each problem. */
export function formatDoctor(rows: HostCheck[]): string {
  const width = Math.max(...rows.map((entry) => entry.name.length));
  const lines = rows.flatMap((entry) => {
    const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' }[entry.status];
    const line = `${mark}  ${entry.name.padEnd(width)}  ${entry.detail}`;
    return entry.fix === '' ? [line] : [line, `${' '.repeat(width + 8)}→ ${entry.fix}`];
  });
  const count = (status: HostCheck['status']) => rows.filter((entry) => entry.status === status).length;
  return [...lines, '', `${count('ok')} ok, ${count('warn')} warnings, ${count('fail')} failures`].join('\n');
}
