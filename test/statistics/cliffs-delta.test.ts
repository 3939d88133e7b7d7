import { strict as assert } from 'node:assert';
import { cliffsDelta } from '../../pipeline/statistics/cliffs-delta.ts';
import { mannWhitneyU } from '../../pipeline/statistics/mann-whitney.ts';
import { mulberry32 } from '../../pipeline/statistics/seeded-random.ts';

describe('cliffsDelta()', () => {
  it('gives 2/3 for baseline [1, 2, 3] against candidate [2, 4, 5], counted by hand', () => {
    // The 9 pairs (b, c): c = 2 beats 1, ties 2, loses to 3 (+1 −1); c = 4 and c = 5 beat all three (+3 +3).
    // (7 greater − 1 smaller) / 9 = 6/9 = 2/3; the tie counts in neither.
    assert.equal(cliffsDelta([1, 2, 3], [2, 4, 5]), 6 / 9);
  });

  it('is −1 when every candidate value is below every baseline value (the candidate is always faster), +1 the other way', () => {
    assert.equal(cliffsDelta([10, 11, 12], [1, 2]), -1);
    assert.equal(cliffsDelta([1, 2], [10, 11, 12]), 1);
  });

  it('is 0 for identical samples and flips its sign when the sides swap', () => {
    assert.equal(cliffsDelta([3, 1, 2], [1, 2, 3]), 0);
    assert.equal(cliffsDelta([2, 4, 5], [1, 2, 3]), -6 / 9);
  });

  it('equals 2U/(m·n) − 1 with U the candidate’s Mann-Whitney U, ties included', () => {
    const random = mulberry32(9);
    // Values rounded to one decimal, so ties happen.
    const draw = (count: number, shift: number) => Array.from({ length: count }, () => Math.round((random() + shift) * 10) / 10);
    for (let trial = 0; trial < 20; trial++) {
      const baseline = draw(13, 0);
      const candidate = draw(17, 0.2);
      const { u } = mannWhitneyU(baseline, candidate);
      const delta = cliffsDelta(baseline, candidate);
      assert.ok(Math.abs(delta - ((2 * u) / (13 * 17) - 1)) < 1e-12, `${delta} vs U = ${u}`);
    }
  });

  it('does not depend on the order of the values', () => {
    assert.equal(cliffsDelta([3, 9, 1, 4], [2, 8, 5]), cliffsDelta([1, 3, 4, 9], [8, 5, 2]));
  });
});
