import { strict as assert } from 'node:assert';
import { compareCells, pairCells } from '../../pipeline/analyse/compare-cells.ts';
import { buildDurationSeries, type DurationSeries } from '../../pipeline/analyse/compare-series.ts';
import type { ComparedPhase } from '../../pipeline/analyse/tally-samples.ts';
import type { CellSummary, Matrix } from '../../pipeline/types.ts';

const axes: Matrix['axes'] = {
  runtime: ['runc', 'crun'],
  storageDriver: ['copy'],
  filesystem: ['ext4', 'xfs', 'btrfs'],
  image: ['tiny'],
  workload: ['noop'],
  lifecycle: ['exec'],
  netns: ['fresh'],
  cgroup: ['fresh'],
  concurrency: [1, 4],
};

function cell(runtime: string, filesystem: string, concurrency = 1): CellSummary {
  return {
    cellId: `${runtime}.${filesystem}.c${concurrency}`,
    runtime, storageDriver: 'copy', filesystem, image: 'tiny', workload: 'noop', lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency,
    phases: {}, totalMedianMs: 0,
  };
}

const describePair = (p: ReturnType<typeof pairCells>[number]) => `${p.axis}: ${p.baseline.cellId} → ${p.candidate.cellId}`;

describe('pairCells()', () => {
  it('pairs only cells that differ in exactly one axis, N·Σ(k − 1)/2 of them: 24 for 2 × 3 × 2 cells', () => {
    const cells = axes.runtime.flatMap((r) => axes.filesystem.flatMap((f) => axes.concurrency.map((c) => cell(r, f, c))));
    const pairs = pairCells(cells, axes);
    assert.equal(pairs.length, (12 * (1 + 2 + 1)) / 2);
    for (const { axis, baseline, candidate } of pairs) {
      const differing = (['runtime', 'filesystem', 'concurrency'] as const).filter((a) => baseline[a] !== candidate[a]);
      assert.deepEqual(differing, [axis]);
    }
  });

  it('takes as baseline the value listed first in the matrix, whatever the cell order, and gives each pair once', () => {
    const pairs = pairCells([cell('crun', 'xfs'), cell('runc', 'xfs'), cell('crun', 'ext4')], axes);
    assert.deepEqual(pairs.map(describePair), ['runtime: runc.xfs.c1 → crun.xfs.c1', 'filesystem: crun.ext4.c1 → crun.xfs.c1']);
    const reversed = pairCells([cell('runc', 'xfs'), cell('crun', 'xfs')], { ...axes, runtime: ['crun', 'runc'] });
    assert.deepEqual(reversed.map(describePair), ['runtime: crun.xfs.c1 → runc.xfs.c1']);
  });

  it('orders by axis (matrix axis order), then the baseline’s cell position, then the candidate’s', () => {
    const cells = [cell('runc', 'ext4'), cell('runc', 'xfs'), cell('runc', 'btrfs'), cell('crun', 'ext4'), cell('crun', 'xfs')];
    assert.deepEqual(pairCells(cells, axes).map(describePair), [
      'runtime: runc.ext4.c1 → crun.ext4.c1',
      'runtime: runc.xfs.c1 → crun.xfs.c1',
      'filesystem: runc.ext4.c1 → runc.xfs.c1',
      'filesystem: runc.ext4.c1 → runc.btrfs.c1',
      'filesystem: runc.xfs.c1 → runc.btrfs.c1',
      'filesystem: crun.ext4.c1 → crun.xfs.c1',
    ]);
  });

  it('does not pair cells that differ in two axes', () => {
    assert.deepEqual(pairCells([cell('runc', 'ext4'), cell('crun', 'xfs')], axes), []);
  });

  it('puts a value the matrix does not list after the listed ones', () => {
    const pairs = pairCells([cell('youki', 'ext4'), cell('crun', 'ext4')], axes);
    assert.deepEqual(pairs.map(describePair), ['runtime: crun.ext4.c1 → youki.ext4.c1']);
  });
});

describe('compareCells()', () => {
  const runc = cell('runc', 'ext4');
  const crun = cell('crun', 'ext4');
  const series = (values: number[], seed: number) => buildDurationSeries(values, { seed });
  const table: Record<string, Partial<Record<ComparedPhase, DurationSeries>>> = {
    [runc.cellId]: { create: series([20, 22, 21, 23], 1), launch: series([8, 9], 2), stop: series([3], 3), total: series([40, 41, 42], 4) },
    [crun.cellId]: { create: series([10, 11, 12, 10.5], 5), launch: series([4, 4.5], 6), stop: series([1.5, 1.6], 7), total: series([20, 21], 8) },
  };
  const seriesOf = (cellId: string, phase: ComparedPhase) => table[cellId]?.[phase];

  it('compares each phase both cells measured at least twice, then the total; n < 2 on a side skips the phase', () => {
    const comparisons = compareCells([runc, crun], axes, seriesOf);
    // stop has one runc sample; execute and clean were measured by neither.
    assert.deepEqual(comparisons.map((c) => c.phase), ['create', 'launch', 'total']);
    const [create] = comparisons;
    assert.deepEqual(
      [create?.axis, create?.baselineCellId, create?.candidateCellId, create?.baselineValue, create?.candidateValue],
      ['runtime', 'runc.ext4.c1', 'crun.ext4.c1', 'runc', 'crun'],
    );
    // median(10, 10.5, 11, 12) / median(20, 21, 22, 23) = 10.75 / 21.5.
    assert.equal(create?.ratio, 0.5);
    assert.equal(create?.effectSize, -1);
  });

  it('writes the fields in the order of the Comparison type', () => {
    const [first] = compareCells([runc, crun], axes, seriesOf);
    assert.deepEqual(Object.keys(first ?? {}), [
      'phase', 'axis', 'baselineCellId', 'candidateCellId', 'baselineValue', 'candidateValue',
      'ratio', 'ciLow', 'ciHigh', 'pValue', 'pAdjusted', 'effectSize', 'significant',
    ]);
  });

  it('gives a concurrency value as text', () => {
    const one = cell('runc', 'ext4', 1);
    const four = cell('runc', 'ext4', 4);
    const values = { create: series([1, 2, 3], 1) };
    const [comparison] = compareCells([one, four], axes, (_id, phase) => (phase === 'create' ? values.create : undefined));
    assert.deepEqual([comparison?.baselineValue, comparison?.candidateValue], ['1', '4']);
  });
});
