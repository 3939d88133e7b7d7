import { strict as assert } from 'node:assert';
import { causeOf, groupSkips, IMPOSSIBLE_BY_DESIGN } from '../../pipeline/analyse/group-skips.ts';
import type { Cell } from '../../pipeline/types.ts';

function skipped(id: string, skipReason: string, skipByDesign = false): Cell {
  return { id, groupId: id, runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop', lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency: 1, feasible: false, skipReason, ...(skipByDesign ? { skipByDesign } : {}) };
}

describe('groupSkips()', () => {
  it('counts cells impossible by design in one group, after the host causes', () => {
    const groups = groupSkips([
      skipped('a', 'storage driver overlay2 does not work with runtime runc (it is a driver of docker)', true),
      skipped('b', 'storage driver overlayfs does not work with runtime runc (it is a driver of lxc)', true),
      skipped('c', 'filesystem zfs: the kernel has no zfs support (not in /proc/filesystems)'),
    ]);
    assert.deepEqual(groups.map((group) => [group.reason.slice(0, 4), group.count, group.byDesign]), [['zfs:', 1, false], [IMPOSSIBLE_BY_DESIGN.slice(0, 4), 2, true]]);
  });

  it('groups the many wordings of one missing kernel feature under one cause', () => {
    const groups = groupSkips([
      skipped('a', 'storage driver lvm: no /dev/mapper/control: the kernel has no device-mapper (CONFIG_BLK_DEV_DM)'),
      skipped('b', 'storage driver devicemapper: no /dev/mapper/control: the kernel has no device-mapper; filesystem zfs: the kernel has no zfs support'),
    ]);
    assert.equal(groups.length, 1);
    assert.equal(groups[0]!.count, 2);
    assert.deepEqual(groups[0]!.cellIds, ['a', 'b']);
  });

  it('leaves feasible cells out', () => {
    assert.deepEqual(groupSkips([{ ...skipped('a', 'x'), feasible: true }]), []);
  });
});

describe('causeOf()', () => {
  it('counts a VM runtime without KVM under KVM, whatever else it lacks', () => {
    assert.match(causeOf('filesystem zfs: the kernel has no zfs support; runtime kata: no usable KVM for a VM runtime'), /KVM/);
  });

  it('keeps the first unmet requirement of an unknown cause', () => {
    assert.equal(causeOf("binary 'youki' not found; something else"), "binary 'youki' not found");
  });
});
