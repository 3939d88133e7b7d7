import { strict as assert } from 'node:assert';
import { countOutliers, modifiedZScores } from '../../pipeline/statistics/outliers.ts';

describe('modifiedZScores() and countOutliers()', () => {
  // Median 11; absolute deviations 1, 1, 0, 0, 0, 1, 1, 39 → MAD = median = 1.
  const withOneOutlier = [10, 10, 11, 11, 11, 12, 12, 50];

  it('scores [10, 10, 11, 11, 11, 12, 12, 50] as ±0.6745 and 0 for the bulk and 0.6745·39 = 26.31 for 50 (median 11, MAD 1)', () => {
    const scores = modifiedZScores(withOneOutlier);
    assert.deepEqual(scores.slice(0, 7), [-0.6745, -0.6745, 0, 0, 0, 0.6745, 0.6745]);
    assert.ok(Math.abs(scores[7]! - 26.3055) < 1e-9);
    assert.equal(countOutliers(withOneOutlier), 1);
  });

  it('flags by |M| > 3.5 (Iglewicz & Hoaglin): 16.2 is an outlier there (M = 3.507), 16.1 is not (M = 3.440)', () => {
    assert.equal(countOutliers([10, 10, 11, 11, 11, 12, 12, 16.2]), 1);
    assert.equal(countOutliers([10, 10, 11, 11, 11, 12, 12, 16.1]), 0);
  });

  it('flags unusually fast values too', () => {
    assert.equal(countOutliers([1, 10, 10, 11, 11, 11, 12, 12, 50]), 2);
  });

  it('flags nothing when more than half the values are equal (MAD = 0), instead of dividing by zero', () => {
    assert.deepEqual(modifiedZScores([5, 5, 5, 5, 9]), [0, 0, 0, 0, 0]);
    assert.equal(countOutliers([5, 5, 5, 5, 9]), 0);
  });

  it('handles one value and none', () => {
    assert.equal(countOutliers([4.2]), 0);
    assert.equal(countOutliers([]), 0);
  });
});
