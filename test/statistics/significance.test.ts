import { strict as assert } from 'node:assert';
import { holmAdjust, isSignificant, SIGNIFICANCE_LEVEL } from '../../pipeline/statistics/significance.ts';

describe('isSignificant()', () => {
  it('needs both p < 0.05 and a ratio CI that excludes 1', () => {
    assert.equal(SIGNIFICANCE_LEVEL, 0.05);
    assert.equal(isSignificant({ pValue: 0.01, ciLow: 1.02, ciHigh: 1.3 }), true);
    assert.equal(isSignificant({ pValue: 0.01, ciLow: 0.6, ciHigh: 0.9 }), true);
    assert.equal(isSignificant({ pValue: 0.01, ciLow: 0.98, ciHigh: 1.3 }), false, 'CI contains 1');
    assert.equal(isSignificant({ pValue: 0.2, ciLow: 1.02, ciHigh: 1.3 }), false, 'p too large');
  });

  it('is strict at the edges: p = 0.05 or a CI ending at exactly 1 is not significant', () => {
    assert.equal(isSignificant({ pValue: 0.05, ciLow: 1.1, ciHigh: 1.3 }), false);
    assert.equal(isSignificant({ pValue: 0.001, ciLow: 1, ciHigh: 1.3 }), false);
    assert.equal(isSignificant({ pValue: 0.001, ciLow: 0.7, ciHigh: 1 }), false);
  });
});

describe('holmAdjust()', () => {
  it('gives the textbook adjustment, in the input order: p = .01, .04, .03, .005 → .03, .06, .06, .02', () => {
    // Holm (1979) step-down, as R's p.adjust(c(.01, .04, .03, .005), "holm").
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    assert.deepEqual(adjusted.map((p) => Number(p.toFixed(10))), [0.03, 0.06, 0.06, 0.02]);
  });

  it('never gives more than 1, and leaves a single test alone', () => {
    assert.deepEqual(holmAdjust([0.5, 0.9]), [1, 1]);
    assert.deepEqual(holmAdjust([0.02]), [0.02]);
  });
});
