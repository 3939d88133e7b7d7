import { strict as assert } from 'node:assert';
import { exactDistribution, mannWhitneyU, minReachablePValue } from '../../pipeline/statistics/mann-whitney.ts';
import { mulberry32 } from '../../pipeline/statistics/seeded-random.ts';

const close = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

/**
 * R's ?wilcox.test, two-sample example (Hollander & Wolfe 1973, p. 69f): permeability
 * constants of the human chorioamnion at term (x) and at 12–26 weeks (y). R prints
 * `wilcox.test(x, y, alternative = "g")` → W = 35, p-value = 0.1272 (exact), and
 * `wilcox.test(x, y, alternative = "greater", exact = FALSE, correct = FALSE)` → p = 0.1103.
 * No ties, so the two-sided p-values are twice the one-sided ones.
 */
const termX = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
const earlyY = [1.15, 0.88, 0.9, 0.74, 1.21];

/**
 * R's wilcox.test with ties, as printed on endmemo.com/r/wilcoxon.php:
 * wilcox.test(x, y) → "Wilcoxon rank sum test with continuity correction", W = 51.5,
 * p-value = 0.5966; with y2: W = 0, p-value = 0.001364 ("cannot compute exact p-value with
 * ties"). scipy.stats.mannwhitneyu(x, y, method="asymptotic") gives the same.
 */
const tiedX = [1, 5, 9, 24, 56, 21, 3, 7, 21, 4];
const tiedY = [12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5];
const farY = [1233, 4356, 987, 39999, 1111, 200000];

describe('mannWhitneyU()', () => {
  describe('R’s wilcox.test example (Hollander & Wolfe 1973): W = 35, one-sided exact p = 0.1272', () => {
    it('gives U = W = 35 for x against y, and 15 = 10·5 − 35 the other way round', () => {
      // U is the candidate's: wilcox.test(x, y)'s W is U with x as the candidate.
      assert.equal(mannWhitneyU(earlyY, termX).u, 35);
      assert.equal(mannWhitneyU(termX, earlyY).u, 15);
    });

    it('uses the exact distribution (no ties, n < 50): two-sided p = 2 · 0.1272 = 764/3003 = 0.25441', () => {
      const result = mannWhitneyU(earlyY, termX);
      assert.equal(result.method, 'exact');
      close(result.pValue, 764 / 3003, 1e-15);
      close(result.pValue / 2, 0.1272, 5e-5);
      assert.equal(mannWhitneyU(termX, earlyY).pValue, result.pValue);
    });

    it('with the normal approximation and continuity correction (R: exact = FALSE, correct = TRUE) gives p = 0.244624', () => {
      // z = (|35 − 25| − 0.5) / √(10·5·16/12) = 1.16349; 2·(1 − Φ(z)) = 0.2446236, as
      // scipy.stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True) (scipy 1.17) gives it.
      const result = mannWhitneyU(earlyY, termX, { method: 'normal' });
      assert.equal(result.method, 'normal');
      close(result.pValue, 0.24462360512698333, 1e-12);
    });
  });

  describe('R’s wilcox.test with tied values: tie-corrected normal approximation', () => {
    it('gives W = 51.5 and p = 0.5966 (x = c(1,5,9,24,…), y = c(12,15,5,9,9,…))', () => {
      const result = mannWhitneyU(tiedY, tiedX);
      assert.deepEqual([result.u, result.method], [51.5, 'normal']);
      close(result.pValue, 0.5966, 5e-5);
      close(result.pValue, 0.5965969026279817, 1e-12);
    });

    it('gives W = 0 and p = 0.001364 when every y is far above every x', () => {
      const result = mannWhitneyU(farY, tiedX);
      assert.equal(result.u, 0);
      close(result.pValue, 0.001364, 5e-7);
      close(result.pValue, 0.0013643929543816092, 1e-14);
    });

    it('refuses an exact p-value with ties instead of giving a wrong one', () => {
      assert.throws(() => mannWhitneyU(tiedY, tiedX, { method: 'exact' }), RangeError);
    });
  });

  it('gives p = 1 when every value is the same (no spread, no evidence)', () => {
    assert.deepEqual(mannWhitneyU([5, 5, 5], [5, 5, 5, 5]), { u: 6, pValue: 1, method: 'normal' });
  });

  it('gives the smallest possible exact p, 2/C(40, 20) = 1.4508e-11, for two completely separated samples of 20', () => {
    const low = Array.from({ length: 20 }, (_, i) => 10 + i / 100);
    const high = Array.from({ length: 20 }, (_, i) => 20 + i / 100);
    close(mannWhitneyU(low, high).pValue, 2 / 137846528820, 1e-25);
  });

  it('switches to the normal approximation at 50 values on a side, as R does', () => {
    const random = mulberry32(3);
    const draw = (count: number) => Array.from({ length: count }, () => random());
    assert.equal(mannWhitneyU(draw(49), draw(49)).method, 'exact');
    assert.equal(mannWhitneyU(draw(50), draw(10)).method, 'normal');
  });

  it('rejects at the 5 % level in about 5 % of draws when both samples come from one distribution', () => {
    const random = mulberry32(2024);
    const draw = () => Array.from({ length: 20 }, () => random());
    let rejected = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) if (mannWhitneyU(draw(), draw()).pValue < 0.05) rejected++;
    // The exact test is conservative (≤ 5 %); 2000 trials put the rate within ±1 % of it.
    const rate = rejected / trials;
    assert.ok(rate > 0.035 && rate <= 0.055, `rejection rate ${rate}`);
  });
});

describe('exactDistribution()', () => {
  it('counts the arrangements of U for m = n = 2: 1, 1, 2, 1, 1 (of C(4, 2) = 6)', () => {
    assert.deepEqual([...exactDistribution(2, 2)], [1, 1, 2, 1, 1]);
  });

  it('is symmetric, sums to C(m + n, m), and is the same for (m, n) and (n, m)', () => {
    const counts = exactDistribution(10, 5);
    assert.equal(counts.reduce((sum, c) => sum + c, 0), 3003);
    assert.deepEqual([...counts], [...counts].reverse());
    assert.deepEqual([...exactDistribution(5, 10)], [...counts]);
  });

  it('keeps counts beyond 2^53 to double precision: they sum to C(98, 49) ≈ 2.548e28 for m = n = 49', () => {
    const total = exactDistribution(49, 49).reduce((sum, c) => sum + c, 0);
    close(total / Number(25477612258980856902730428600n), 1, 1e-13);
  });
});

describe('minReachablePValue()', () => {
  it('cannot go below 0.1 at 3 against 3: 2/C(6, 3) = 2/20, so no 3-repetition comparison is significant at 0.05', () => {
    assert.ok(minReachablePValue(3, 3) >= 0.1);
    close(minReachablePValue(3, 3), 0.1, 1e-15);
  });

  it('goes below 0.05 at 8 against 8: 2/C(16, 8) = 2/12870', () => {
    assert.ok(minReachablePValue(8, 8) < 0.05);
    close(minReachablePValue(8, 8), 2 / 12870, 1e-18);
  });

  it('is the p-value mannWhitneyU gives two completely separated samples, on either side of the exact limit', () => {
    for (const [m, n] of [[1, 1], [2, 5], [4, 4], [20, 20], [49, 49], [50, 50], [60, 12]] as const) {
      const baseline = Array.from({ length: m }, (_, i) => i);
      const candidate = Array.from({ length: n }, (_, i) => 1000 + i);
      close(minReachablePValue(m, n), mannWhitneyU(baseline, candidate).pValue, 1e-15);
      close(minReachablePValue(m, n), mannWhitneyU(candidate, baseline).pValue, 1e-15);
    }
    const fifty = Array.from({ length: 50 }, (_, i) => i);
    assert.equal(mannWhitneyU(fifty, fifty.map((v) => v + 1000)).method, 'normal');
  });

  it('is the same for (m, n) and (n, m), and 1 with a single value a side (nothing to rank)', () => {
    assert.equal(minReachablePValue(3, 7), minReachablePValue(7, 3));
    assert.equal(minReachablePValue(1, 1), 1);
  });

  it('refuses sizes that are no sample sizes', () => {
    assert.throws(() => minReachablePValue(0, 3), RangeError);
    assert.throws(() => minReachablePValue(2.5, 3), RangeError);
  });
});
