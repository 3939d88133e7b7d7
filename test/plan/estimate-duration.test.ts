import assert from 'node:assert/strict';
import { estimateDuration } from '../../pipeline/plan/estimate-duration.ts';
import { LIFECYCLE_PHASES, type Cell, type Sample } from '../../pipeline/types.ts';
import { sampleOf } from '../fixtures/results/make-sample.ts';

const cell: Cell = {
  id: 'runc.copy.ext4.tiny.noop.exec.c1', groupId: 'runc.copy.ext4', runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop',
  lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency: 1, feasible: true,
};
const other: Cell = { ...cell, id: 'crun.copy.ext4.tiny.noop.exec.c1', groupId: 'crun.copy.ext4', runtime: 'crun' };
/** A sample of `cellId` (a cell's, or a group's for setup steps). */
const sample = (cellId: string, phase: Sample['phase'], durationMs: number): Sample => ({ ...sampleOf(cell, phase, durationMs), cellId });

describe('estimateDuration()', () => {
  const matrix = { repetitions: 10, blockRepetitions: 5, seed: 1, warmup: 1 };

  it('adds repetitions (warm-ups included) at the median makespan, and each unit\'s setup', () => {
    const history = [sample(cell.id, 'makespan', 100), sample(cell.id, 'makespan', 300), sample(cell.id, 'makespan', 200), sample(cell.groupId, 'provision-volume', 50)];
    // 2 blocks × (5 reps + 1 warm-up) × 200 ms + 2 units × 50 ms
    assert.deepEqual(estimateDuration([cell], matrix, history), { totalMs: 2500, cellsWithoutHistory: [] });
  });

  it('falls back to the sum of the phase medians, and names the cells it knows nothing about', () => {
    const history = LIFECYCLE_PHASES.map((phase) => sample(cell.id, phase, 10));
    const estimate = estimateDuration([cell, other], matrix, history);
    assert.equal(estimate.totalMs, 2 * 6 * 50);
    assert.deepEqual(estimate.cellsWithoutHistory, [other.id]);
  });
});
