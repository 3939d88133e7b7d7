import { strict as assert } from 'node:assert';
import { bootstrapMedianCi } from '../../pipeline/analyse/bootstrap.ts';
import { mulberry32 } from '../../pipeline/analyse/seeded-random.ts';
import { describeDurations } from '../../pipeline/analyse/statistics.ts';

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
