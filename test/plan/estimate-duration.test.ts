import assert from 'node:assert/strict';
import { estimateDuration } from '../../pipeline/plan/estimate-duration.ts';
import { LIFECYCLE_PHASES, type Cell, type Sample } from '../../pipeline/types.ts';

const cell: Cell = { id: 'runc.copy.ext4.tiny.noop.c1', groupId: 'runc.copy.ext4', runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop', concurrency: 1, feasible: true };
const other: Cell = { ...cell, id: 'crun.copy.ext4.tiny.noop.c1', groupId: 'crun.copy.ext4', runtime: 'crun' };
const sample = (cellId: string, phase: Sample['phase'], durationMs: number): Sample => ({
  schemaVersion: 1, cellId, groupId: cell.groupId, runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop',
  concurrency: 1, phase, block: 0, rep: 0, warmup: false, durationMs, ok: true, startedAt: '',
});

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
