import { strict as assert } from 'node:assert';
import { erf, erfc, normalCdf, normalSurvival } from '../../pipeline/statistics/normal-distribution.ts';

/** |actual − expected| ≤ tolerance · |expected|. */
const closeRelative = (actual: number, expected: number, tolerance: number) =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.abs(expected),
    `${actual} is not within ${tolerance} (relative) of ${expected}`,
  );

// Reference values: erf/erfc to 16 digits as tabulated in Abramowitz & Stegun, Table 7.1
// (x ≤ 2), and beyond that the correctly rounded values of glibc's erfc (Python's math.erfc),
// which agree with DLMF §7.
const ERFC_REFERENCE: [number, number][] = [
  [0.1, 0.8875370839817152],
  [0.46875, 0.507386526782062],
  [0.5, 0.4795001221869535],
  [1, 0.15729920705028513],
  [2, 0.004677734981047266],
  [3, 2.2090496998585438e-5],
  [4, 1.541725790028002e-8],
  [4.5, 1.9661604415428873e-10],
  [6, 2.1519736712498916e-17],
  [10, 2.088487583762545e-45],
  [20, 5.3958656116079005e-176],
  [26, 5.663192408856143e-296],
];

describe('erfc()', () => {
  it('matches reference values to 1e-14 relative, on every branch of Cody’s approximation and far into the tail', () => {
    for (const [x, expected] of ERFC_REFERENCE) closeRelative(erfc(x), expected, 1e-14);
  });

  it('reflects negative arguments: erfc(−x) = 2 − erfc(x)', () => {
    for (const [x, expected] of ERFC_REFERENCE) closeRelative(erfc(-x), 2 - expected, 1e-15);
  });

  it('is 1 at 0, 0 beyond the smallest double (x ≥ 26.543) and NaN for NaN', () => {
    assert.equal(erfc(0), 1);
    assert.equal(erfc(30), 0);
    assert.ok(Number.isNaN(erfc(Number.NaN)));
  });

  it('is far more accurate than Abramowitz & Stegun 7.1.26, whose absolute error reaches 1.4e-7 (at x ≈ 0.05–0.2)', () => {
    const as7126 = (x: number) => {
      const t = 1 / (1 + 0.3275911 * x);
      return t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
    };
    // erfc(0.2) = 0.7772974107895215 (A&S Table 7.1): 7.1.26 is 1.3e-7 off, as much as a whole p-value of 1e-7.
    assert.ok(Math.abs(as7126(0.2) - 0.7772974107895215) > 1e-7);
    assert.ok(Math.abs(erfc(0.2) - 0.7772974107895215) < 1e-15);
    // erfc(3.5) = 7.430983723414128e-7: 7.1.26 is 0.15 % off, Cody agrees to 13 digits.
    assert.ok(Math.abs(as7126(3.5) - 7.430983723414128e-7) / 7.430983723414128e-7 > 1e-3);
    closeRelative(erfc(3.5), 7.430983723414128e-7, 1e-13);
  });
});

describe('erf()', () => {
  it('keeps its relative accuracy near 0, where 1 − erfc(x) would lose it: erf(1e-10) = 1.1283791670955126e-10', () => {
    closeRelative(erf(1e-10), 1.1283791670955126e-10, 1e-15);
    closeRelative(erf(0.5), 0.5204998778130465, 1e-15);
    closeRelative(erf(-2), -0.9953222650189527, 1e-15);
  });
});

describe('normalCdf() and normalSurvival()', () => {
  it('give the textbook quantiles: Φ(1.959963984540054) = 0.975, Φ(−1.959963984540054) = 0.025', () => {
    closeRelative(normalCdf(1.959963984540054), 0.975, 1e-15);
    closeRelative(normalCdf(-1.959963984540054), 0.025, 1e-13);
    closeRelative(normalSurvival(1.959963984540054), 0.025, 1e-13);
  });

  it('keep the far tails: 1 − Φ(8) = 6.220960574271819e-16 and Φ(−8) the same, not 0', () => {
    closeRelative(normalSurvival(8), 6.220960574271819e-16, 1e-13);
    closeRelative(normalCdf(-8), 6.220960574271819e-16, 1e-13);
  });

  it('are 1/2 at 0', () => {
    assert.equal(normalCdf(0), 0.5);
    assert.equal(normalSurvival(0), 0.5);
  });
});
