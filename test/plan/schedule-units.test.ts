import assert from 'node:assert/strict';
import { groupsOfShard, scheduleUnits } from '../../pipeline/plan/schedule-units.ts';
import type { Cell } from '../../pipeline/types.ts';

function cellsFor(runtimes: string[], filesystems: string[], workloads: string[]): Cell[] {
  return runtimes.flatMap((runtime) => filesystems.flatMap((filesystem) => workloads.map((workload) => ({
    id: `${runtime}.copy.${filesystem}.tiny.${workload}.exec.c1`, groupId: `${runtime}.copy.${filesystem}`, runtime, storageDriver: 'copy',
    filesystem, image: 'tiny', workload, lifecycle: 'exec' as const, netns: 'fresh' as const, cgroup: 'fresh' as const, concurrency: 1, feasible: filesystem !== 'zfs',
  }))));
}

const cells = cellsFor(['runc', 'crun'], ['ext4', 'xfs', 'btrfs', 'zfs'], ['noop', 'cpu']);
const matrix = { repetitions: 20, blockRepetitions: 5, seed: 7 };
const order = (units: ReturnType<typeof scheduleUnits>) => units.map((unit) => `${unit.block}:${unit.cells.map((entry) => entry.cell.id).join(',')}`);

describe('scheduleUnits()', () => {
  it('runs every measured repetition of every feasible cell exactly once, and no infeasible one', () => {
    const counts = new Map<string, number[]>();
    for (const unit of scheduleUnits(cells, matrix)) {
      for (const entry of unit.cells) {
        for (let rep = entry.firstRep; rep < entry.firstRep + entry.reps; rep += 1) counts.set(entry.cell.id, [...(counts.get(entry.cell.id) ?? []), rep]);
      }
    }
    const feasible = cells.filter((cell) => cell.feasible);
    assert.deepEqual([...counts.keys()].sort(), feasible.map((cell) => cell.id).sort());
    for (const reps of counts.values()) assert.deepEqual(reps, Array.from({ length: 20 }, (_value, index) => index));
  });

  it('cuts the repetitions into blocks, each visiting every group once, the last block holding the remainder', () => {
    const units = scheduleUnits(cells, { ...matrix, repetitions: 12 });
    assert.deepEqual([...new Set(units.map((unit) => unit.block))], [0, 1, 2]);
    assert.equal(units.filter((unit) => unit.block === 0).length, 6);
    assert.ok(units.filter((unit) => unit.block === 2).every((unit) => unit.cells.every((entry) => entry.reps === 2)));
  });

  it('gives the same order for the same seed, and another order for another seed', () => {
    assert.deepEqual(order(scheduleUnits(cells, matrix)), order(scheduleUnits(cells, matrix)));
    assert.notDeepEqual(order(scheduleUnits(cells, matrix)), order(scheduleUnits(cells, { ...matrix, seed: 8 })));
  });

  it('interleaves: the groups come in a different order from one block to the next', () => {
    const units = scheduleUnits(cells, matrix);
    const groupsOfBlock = (block: number) => units.filter((unit) => unit.block === block).map((unit) => unit.groupId).join(',');
    assert.ok(new Set([0, 1, 2, 3].map(groupsOfBlock)).size > 1);
  });

  it('leaves out the repetitions a resumed run already has', () => {
    const done = new Map([[cells[0]!.id, 7], [cells[1]!.id, 20]]);
    const units = scheduleUnits(cells, matrix, { doneReps: done });
    const planned = (id: string) => units.flatMap((unit) => unit.cells.filter((entry) => entry.cell.id === id).map((entry) => [entry.firstRep, entry.reps]));
    assert.deepEqual(planned(cells[0]!.id), [[7, 3], [10, 5], [15, 5]]);
    assert.deepEqual(planned(cells[1]!.id), []);
  });
});

describe('groupsOfShard()', () => {
  it('deals whole groups to shards: disjoint, and together every feasible group', () => {
    for (const count of [1, 2, 3, 4, 7]) {
      const shards = Array.from({ length: count }, (_value, index) => groupsOfShard(cells, { index, count }));
      const all = shards.flat();
      assert.equal(new Set(all).size, all.length, `shards of ${count} overlap`);
      assert.deepEqual([...all].sort(), groupsOfShard(cells, undefined).sort(), `shards of ${count} miss a group`);
    }
  });

  it('keeps a shard to its groups in the schedule too', () => {
    const units = scheduleUnits(cells, matrix, { shard: { index: 1, count: 2 } });
    assert.deepEqual([...new Set(units.map((unit) => unit.groupId))].sort(), groupsOfShard(cells, { index: 1, count: 2 }).sort());
  });
});
