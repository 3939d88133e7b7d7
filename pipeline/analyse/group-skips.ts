import type { Manifest, SkipGroup } from '../types.ts';

/**
 * The skipped cells by reason, with counts, most first. A reason the host causes (no ZFS
 * module, no KVM) is one group per reason text; cells that no host could run (a driver of
 * another runtime, a shape the runtime has not got) form one group, counted, whose reasons
 * are never listed one by one.
 */
export function groupSkips(cells: Manifest['cells']): SkipGroup[] {
  const groups = new Map<string, SkipGroup>();
  for (const cell of cells) {
    if (cell.feasible) continue;
    const byDesign = cell.skipByDesign === true;
    const reason = byDesign ? IMPOSSIBLE_BY_DESIGN : causeOf(cell.skipReason ?? 'no reason recorded');
    let group = groups.get(reason);
    if (!group) groups.set(reason, (group = { reason, count: 0, byDesign, cellIds: [] }));
    group.count++;
    group.cellIds.push(cell.id);
  }
  return [...groups.values()].sort((a, b) => Number(a.byDesign) - Number(b.byDesign) || b.count - a.count || a.reason.localeCompare(b.reason));
}

/**
 * What the host lacks, in the order that decides a cell with several causes (a VM runtime's
 * cell on zfs is counted under KVM): the few causes a reader can act on, in words.
 */
const HOST_CAUSES: { pattern: RegExp; cause: string }[] = [
  { pattern: /KVM/, cause: 'VM runtimes (Kata, Firecracker, a microVM under KVM): no usable KVM on this host' },
  { pattern: /device-mapper/, cause: 'devicemapper and lvm: the kernel has no device-mapper' },
  { pattern: /aufs/, cause: 'aufs: removed in Docker 24, and never in Debian 12\'s kernel' },
  { pattern: /zfs support/, cause: 'zfs: the kernel has no zfs module (zfs-dkms is in Debian contrib)' },
];

/** A skip reason's cause as the table shows it: a known host cause, or the first unmet requirement. */
export function causeOf(reason: string): string {
  return HOST_CAUSES.find(({ pattern }) => pattern.test(reason))?.cause ?? reason.split('; ')[0]!;
}

export const IMPOSSIBLE_BY_DESIGN = 'impossible by design: a storage driver of another runtime or filesystem, or a shape the runtime has not got';
