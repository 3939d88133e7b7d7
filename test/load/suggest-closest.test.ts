import { strict as assert } from 'node:assert';
import { editDistance, suggestClosest } from '../../pipeline/load/suggest-closest.ts';

describe('suggestClosest()', () => {
  it('suggests the key a missing letter belongs to', () => {
    assert.equal(suggestClosest('repetition', ['name', 'repetitions', 'warmup']), 'repetitions');
  });

  it('treats two swapped letters as one typo', () => {
    assert.equal(suggestClosest('rnuc', ['runc', 'crun']), 'runc');
  });

  it('ignores case when comparing', () => {
    assert.equal(suggestClosest('StorageDriver', ['storageDriver', 'filesystem']), 'storageDriver');
  });

  it('suggests nothing when no candidate is close', () => {
    assert.equal(suggestClosest('dockr', ['runc', 'crun']), undefined);
  });
});

describe('editDistance()', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    assert.equal(editDistance('warmup', 'warmup'), 0);
    assert.equal(editDistance('warmup', 'warmups'), 1);
    assert.equal(editDistance('warmup', 'warmp'), 1);
    assert.equal(editDistance('warmup', 'warnup'), 1);
    assert.equal(editDistance('warmup', 'wramup'), 1);
    assert.equal(editDistance('', 'seed'), 4);
  });
});
