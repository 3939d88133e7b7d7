import { strict as assert } from 'node:assert';
import { describeDurations, quantileType7 } from '../../pipeline/statistics/statistics.ts';

const close = (actual: number, expected: number, tolerance = 5e-4) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

describe('describeDurations()', () => {
  it('takes the mean of the two middle values as the median of an even count: [1,2,3,4] → 2.5', () => {
    assert.equal(describeDurations([4, 1, 3, 2]).medianMs, 2.5);
  });

  it('takes the middle value as the median of an odd count: [3,1,2] → 2', () => {
    assert.equal(describeDurations([3, 1, 2]).medianMs, 2);
  });

  it('gives the sample standard deviation (n − 1) of [2,4,4,4,5,5,7,9] as 2.138, not the population 2.0', () => {
    const stats = describeDurations([2, 4, 4, 4, 5, 5, 7, 9]);
    close(stats.stdDevMs, 2.138);
    close(stats.meanMs, 5);
  });

  it('gives the type-7 95th percentile of 1..20 as 19.05', () => {
    const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);
    close(describeDurations(oneToTwenty).p95Ms, 19.05, 1e-9);
  });

  it('gives the type-7 quartiles of 1..20 as 5.75 and 15.25', () => {
    const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);
    close(describeDurations(oneToTwenty).p25Ms, 5.75, 1e-9);
    close(describeDurations(oneToTwenty).p75Ms, 15.25, 1e-9);
  });

  it('reports n, minimum and maximum', () => {
    const stats = describeDurations([7.5, 3.25, 12]);
    assert.deepEqual([stats.n, stats.minMs, stats.maxMs], [3, 3.25, 12]);
  });

  it('gives a standard deviation of 0 for a single value, which has no spread to estimate', () => {
    assert.deepEqual(describeDurations([4.2]), {
      n: 1,
      medianMs: 4.2,
      meanMs: 4.2,
      stdDevMs: 0,
      minMs: 4.2,
      maxMs: 4.2,
      p25Ms: 4.2,
      p75Ms: 4.2,
      p95Ms: 4.2,
      p99Ms: 4.2,
    });
  });

  it('does not depend on the order of the values, down to the last bit', () => {
    const values = [0.1, 0.2, 0.3, 10.7, 3.3, 1e-3, 7.77];
    assert.deepEqual(describeDurations(values), describeDurations([...values].reverse()));
  });

  it('refuses an empty list instead of returning NaN', () => {
    assert.throws(() => describeDurations([]), RangeError);
  });
});

describe('quantileType7()', () => {
  it('interpolates linearly between order statistics: the 25th percentile of 1..5 is 2, of 1..4 is 1.75', () => {
    assert.equal(quantileType7([1, 2, 3, 4, 5], 0.25), 2);
    assert.equal(quantileType7([1, 2, 3, 4], 0.25), 1.75);
  });
});
