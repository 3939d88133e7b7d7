import { strict as assert } from 'node:assert';
import {
  bootstrapMedianCi,
  bootstrapMedians,
  bootstrapMediansSeeded,
  percentileInterval,
  quantileBySelection,
  ratioOfMediansCi,
} from '../../pipeline/statistics/bootstrap.ts';
import { deriveSeed, mulberry32 } from '../../pipeline/statistics/seeded-random.ts';
import { describeDurations, quantileType7 } from '../../pipeline/statistics/statistics.ts';
import { syntheticDurations } from '../fixtures/results/synthetic-durations.ts';

const durations = [11.2, 11.9, 12.4, 11.7, 12.1, 13.8, 11.5, 12.0, 12.3, 11.8, 12.9, 11.6, 12.2, 30.5, 11.9, 12.6, 12.0, 11.4, 12.7, 12.1];

describe('bootstrapMedianCi()', () => {
  it('returns an interval that contains the median', () => {
    const [low, high] = bootstrapMedianCi(durations, { random: mulberry32(1) });
    const { medianMs } = describeDurations(durations);
    assert.ok(low <= medianMs && medianMs <= high, `${medianMs} outside [${low}, ${high}]`);
    assert.ok(low < high);
  });

  it('stays inside the range of the data, unlike a mean ± 2 sd interval with an outlier', () => {
    const [low, high] = bootstrapMedianCi(durations, { random: mulberry32(1) });
    assert.ok(low >= Math.min(...durations) && high < 13, `[${low}, ${high}]`);
  });

  it('is identical for the same seed', () => {
    assert.deepEqual(
      bootstrapMedianCi(durations, { random: mulberry32(7) }),
      bootstrapMedianCi(durations, { random: mulberry32(7) }),
    );
  });

  it('differs for another seed', () => {
    assert.notDeepEqual(
      bootstrapMedianCi(durations, { random: mulberry32(7) }),
      bootstrapMedianCi(durations, { random: mulberry32(8) }),
    );
  });

  it('does not depend on the order of the values', () => {
    assert.deepEqual(
      bootstrapMedianCi(durations, { random: mulberry32(7) }),
      bootstrapMedianCi([...durations].reverse(), { random: mulberry32(7) }),
    );
  });

  it('gives [x, x] for a single value', () => {
    assert.deepEqual(bootstrapMedianCi([4.2], { random: mulberry32(1) }), [4.2, 4.2]);
  });

  it('draws 2000 resamples of n values by default', () => {
    let calls = 0;
    const counting = mulberry32(3);
    bootstrapMedianCi([1, 2, 3], { random: () => (calls++, counting()) });
    assert.equal(calls, 2000 * 3);
  });

  it('gets narrower with a lower confidence level', () => {
    const [low95, high95] = bootstrapMedianCi(durations, { random: mulberry32(5) });
    const [low50, high50] = bootstrapMedianCi(durations, { random: mulberry32(5), confidence: 0.5 });
    assert.ok(high50 - low50 < high95 - low95);
  });
});

describe('bootstrapMedians() and bootstrapMediansSeeded()', () => {
  /** The textbook way: draw n values, sort them, take the median. */
  function naiveMedians(values: number[], seed: number, resamples: number): number[] {
    const sorted = [...values].sort((a, b) => a - b);
    const random = mulberry32(seed);
    return Array.from({ length: resamples }, () => {
      const draw = Array.from({ length: sorted.length }, () => sorted[Math.floor(random() * sorted.length)]!);
      return describeDurations(draw).medianMs;
    });
  }

  it('give, draw for draw, the medians that sorting each resample gives (odd and even n, ties)', () => {
    for (const values of [durations, durations.slice(1), [3, 3, 3, 1, 2], [7.5]]) {
      const sorted = Float64Array.from(values).sort();
      const expected = naiveMedians(values, 11, 300);
      assert.deepEqual([...bootstrapMedians(sorted, { random: mulberry32(11), resamples: 300 })], expected);
      assert.deepEqual([...bootstrapMediansSeeded(sorted, 11, 300)], expected);
    }
  });

  it('with the generator inlined, agree with mulberry32(seed) for any 32-bit seed', () => {
    const sorted = Float64Array.from(durations).sort();
    for (const seed of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff]) {
      assert.deepEqual(bootstrapMediansSeeded(sorted, seed, 50), bootstrapMedians(sorted, { random: mulberry32(seed), resamples: 50 }));
    }
  });
});

describe('percentileInterval() and quantileBySelection()', () => {
  it('find by selection exactly the type-7 quantiles of the sorted values, ties and all', () => {
    const random = mulberry32(4);
    for (const count of [1, 2, 3, 10, 2000]) {
      // Few distinct values, as bootstrap medians have.
      const values = Float64Array.from({ length: count }, () => Math.floor(random() * 7) / 2);
      const sorted = Array.from(values).sort((a, b) => a - b);
      for (const p of [0, 0.025, 0.5, 0.975, 1]) assert.equal(quantileBySelection(values.slice(), p), quantileType7(sorted, p), `n ${count}, p ${p}`);
      // (1 − 0.95)/2 is 0.025000000000000022 in doubles, as the interval computes it.
      const tail = (1 - 0.95) / 2;
      assert.deepEqual(percentileInterval(values, 0.95), [quantileType7(sorted, tail), quantileType7(sorted, 1 - tail)]);
    }
  });

  it('leave the replicates as they were', () => {
    const values = Float64Array.of(5, 1, 4, 2, 3);
    percentileInterval(values);
    assert.deepEqual([...values], [5, 1, 4, 2, 3]);
  });
});

describe('ratioOfMediansCi()', () => {
  const n = 30;
  const trueRatio = 2;
  const intervalFor = (seed: number) => {
    const baseline = Float64Array.from(syntheticDurations(seed, n, 10, { sigma: 0.2 })).sort();
    const candidate = Float64Array.from(syntheticDurations(seed + 1e6, n, 10 * trueRatio, { sigma: 0.2 })).sort();
    return ratioOfMediansCi(bootstrapMediansSeeded(baseline, deriveSeed(seed, 'b')), bootstrapMediansSeeded(candidate, deriveSeed(seed, 'c')));
  };

  it('contains the true ratio 2 of two log-normal samples (n = 30 each, σ = 0.2, candidate median twice the baseline’s)', () => {
    const [low, high] = intervalFor(1);
    assert.ok(low < trueRatio && trueRatio < high, `[${low}, ${high}]`);
    assert.ok(low > 1.6 && high < 2.5, `[${low}, ${high}] is too wide to be of use`);
  });

  it('covers the true ratio in about 95 % of 300 repeated experiments', () => {
    let covered = 0;
    const trials = 300;
    for (let seed = 1; seed <= trials; seed++) {
      const [low, high] = intervalFor(seed);
      if (low <= trueRatio && trueRatio <= high) covered++;
    }
    // A percentile interval of a median is not exact at n = 30; ±3 standard errors (1.3 %) and some slack.
    const coverage = covered / trials;
    assert.ok(coverage >= 0.9 && coverage <= 0.99, `coverage ${coverage}`);
  });

  it('refuses sides with different numbers of replicates', () => {
    assert.throws(() => ratioOfMediansCi(Float64Array.of(1, 2), Float64Array.of(1)), RangeError);
  });
});
