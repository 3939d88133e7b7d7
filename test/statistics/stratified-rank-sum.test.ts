import { strict as assert } from 'node:assert';
import { mannWhitneyU } from '../../pipeline/statistics/mann-whitney.ts';
import { stratifiedRankSumP } from '../../pipeline/statistics/stratified-rank-sum.ts';

describe('stratifiedRankSumP()', () => {
  const low = [1, 2, 3, 4, 5, 6];
  const high = [7, 8, 9, 10, 11, 12];

  it('is the Mann-Whitney p of a single stratum', () => {
    assert.equal(stratifiedRankSumP([{ baseline: low, candidate: high }]), mannWhitneyU(low, high).pValue);
  });

  it('gets smaller as strata agree in direction', () => {
    const one = stratifiedRankSumP([{ baseline: low, candidate: high }, { baseline: low, candidate: [5, 6, 7, 8, 9, 10] }]);
    const three = stratifiedRankSumP([
      { baseline: low, candidate: high },
      { baseline: low, candidate: [5, 6, 7, 8, 9, 10] },
      { baseline: [100, 101, 102, 103, 104, 105], candidate: [110, 111, 112, 113, 114, 115] },
    ]);
    assert.ok(three < one);
  });

  it('finds nothing when strata point in opposite directions', () => {
    assert.ok(stratifiedRankSumP([{ baseline: low, candidate: high }, { baseline: high, candidate: low }]) > 0.9);
  });

  it('does not compare values across strata: a stratum ten times slower changes nothing', () => {
    const a = stratifiedRankSumP([{ baseline: low, candidate: high }, { baseline: low, candidate: high }]);
    const b = stratifiedRankSumP([{ baseline: low, candidate: high }, { baseline: low.map((v) => v * 10), candidate: high.map((v) => v * 10) }]);
    assert.equal(a, b);
  });

  it('refuses strata without values', () => {
    assert.throws(() => stratifiedRankSumP([{ baseline: [], candidate: [1] }]), RangeError);
  });
});
