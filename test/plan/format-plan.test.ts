import { strict as assert } from 'node:assert';
import { formatPlan } from '../../pipeline/plan/format-plan.ts';
import type { Cell } from '../../pipeline/types.ts';

function cell(runtime: string, filesystem: string, skipReason?: string): Cell {
  return {
    id: `${runtime}.copy.${filesystem}.tiny.noop.exec.c1`,
    groupId: `${runtime}.copy.${filesystem}`,
    runtime,
    storageDriver: 'copy',
    filesystem,
    image: 'tiny',
    workload: 'noop',
    lifecycle: 'exec',
    netns: 'fresh',
    cgroup: 'fresh',
    concurrency: 1,
    feasible: skipReason === undefined,
    ...(skipReason === undefined ? {} : { skipReason }),
  };
}

const cells = [
  cell('runc', 'ext4'),
  cell('runc', 'zfs', 'filesystem zfs: the kernel has no zfs support'),
  cell('crun', 'ext4'),
  cell('crun', 'zfs', 'filesystem zfs: the kernel has no zfs support'),
];

describe('formatPlan()', () => {
  it('lists each cell in order with its status and reason', () => {
    const lines = formatPlan(cells).trimEnd().split('\n');
    const body = lines.slice(1, -1);
    assert.deepEqual(body.map((line) => line.split(/\s+/)[0]), cells.map((c) => c.id));
    assert.match(body[0] ?? '', /feasible$/);
    assert.match(body[1] ?? '', /skipped\s+filesystem zfs: the kernel has no zfs support$/);
  });

  it('ends with a count of feasible and skipped cells', () => {
    const lines = formatPlan(cells).trimEnd().split('\n');
    assert.equal(lines.at(-1), '4 cells: 2 feasible, 2 skipped');
  });

  it('aligns the status and reason columns', () => {
    const lines = formatPlan(cells).trimEnd().split('\n').slice(0, -1);
    const statusColumns = new Set(lines.map((line) => line.search(/ (STATUS|feasible|skipped)/)));
    assert.equal(statusColumns.size, 1, lines.join('\n'));
  });

  it('counts an empty plan', () => {
    assert.match(formatPlan([]), /0 cells: 0 feasible, 0 skipped\n$/);
  });
});
