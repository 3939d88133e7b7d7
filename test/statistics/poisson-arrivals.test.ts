import { strict as assert } from 'node:assert';
import { exponentialInterArrivalMs, poissonArrivalTimesMs } from '../../pipeline/statistics/poisson-arrivals.ts';
import { mulberry32 } from '../../pipeline/statistics/seeded-random.ts';
import { normalCdf, normalSurvival } from '../../pipeline/statistics/normal-distribution.ts';

/** Gaps between consecutive arrivals, the first measured from 0. */
function interArrivalsMs(timesMs: readonly number[]): number[] {
  return timesMs.map((atMs, i) => atMs - (i === 0 ? 0 : timesMs[i - 1]!));
}

function meanOf(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function coefficientOfVariation(values: readonly number[]): number {
  const mean = meanOf(values);
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance) / mean;
}

/**
 * The one-sample Kolmogorov–Smirnov statistic D = sup |F_n(x) − F(x)| against Exp(λ),
 * F(x) = 1 − exp(−λx), evaluated at the jumps of the empirical CDF.
 */
function ksStatisticExponential(valuesMs: readonly number[], ratePerSecond: number): number {
  const sorted = [...valuesMs].sort((a, b) => a - b);
  const n = sorted.length;
  let d = 0;
  sorted.forEach((x, i) => {
    const f = 1 - Math.exp((-ratePerSecond * x) / 1000);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  });
  return d;
}

/**
 * Critical value of D at α = 0.01 for n > 35 and a fully specified continuous F: 1.63/√n.
 * F. J. Massey Jr., "The Kolmogorov–Smirnov test for goodness of fit", J. Amer. Statist.
 * Assoc. 46 (1951) 68–78, Table 1 (the asymptotic row, from Smirnov 1948). λ is given, not
 * estimated from the data, so the plain table applies (no Lilliefors correction).
 */
function ksCriticalValue01(n: number): number {
  return 1.63 / Math.sqrt(n);
}

/**
 * The index-of-dispersion test for a Poisson process (Cox & Lewis, "The Statistical Analysis
 * of Series of Events", Methuen 1966, §6.3; Fisher's dispersion test): counts in k equal
 * windows give I = Σ(xᵢ − x̄)²/x̄, which is χ² with k − 1 degrees of freedom under the null.
 * Returns the two-sided p-value, the χ² tail by the Wilson–Hilferty cube-root normal
 * approximation (Wilson & Hilferty, PNAS 17 (1931) 684–688), good to ~1e-3 at this many
 * degrees of freedom: clumped arrivals give I too large, too regular ones too small.
 */
function dispersionTestPValue(timesMs: readonly number[], durationMs: number, windows: number): number {
  const counts = new Array<number>(windows).fill(0);
  for (const atMs of timesMs) counts[Math.floor((atMs / durationMs) * windows)]!++;
  const mean = meanOf(counts);
  const index = counts.reduce((sum, count) => sum + (count - mean) ** 2, 0) / mean;
  const df = windows - 1;
  const z = (Math.cbrt(index / df) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
  return 2 * Math.min(normalCdf(z), normalSurvival(z));
}

// 10 per second for 1000 s: about 10,000 arrivals per stream.
const RATE_PER_SECOND = 10;
const DURATION_MS = 1_000_000;

describe('poissonArrivalTimesMs()', () => {
  it('gives the same times for the same seed', () => {
    const options = { ratePerSecond: 2, durationMs: 60_000, seed: 42 };
    assert.deepEqual(poissonArrivalTimesMs(options), poissonArrivalTimesMs(options));
  });

  it('gives other times for another seed', () => {
    assert.notDeepEqual(
      poissonArrivalTimesMs({ ratePerSecond: 2, durationMs: 60_000, seed: 42 }),
      poissonArrivalTimesMs({ ratePerSecond: 2, durationMs: 60_000, seed: 43 }),
    );
  });

  it('returns ascending times inside [0, durationMs)', () => {
    const timesMs = poissonArrivalTimesMs({ ratePerSecond: 50, durationMs: 10_000, seed: 1 });
    assert.ok(timesMs.length > 0);
    timesMs.forEach((atMs, i) => {
      assert.ok(atMs >= 0 && atMs < 10_000, `${atMs}`);
      if (i > 0) assert.ok(atMs >= timesMs[i - 1]!, `not ascending at ${i}`);
    });
  });

  it('returns no arrivals for a zero-length window', () => {
    assert.deepEqual(poissonArrivalTimesMs({ ratePerSecond: 5, durationMs: 0, seed: 1 }), []);
  });

  it('has exponential inter-arrival times: mean 1/λ and CV 1 over about 10k draws', () => {
    for (const seed of [1, 2, 3]) {
      const gapsMs = interArrivalsMs(poissonArrivalTimesMs({ ratePerSecond: RATE_PER_SECOND, durationMs: DURATION_MS, seed }));
      assert.ok(gapsMs.length > 9_500 && gapsMs.length < 10_500, `${gapsMs.length} arrivals`);
      // Standard errors at n = 10⁴: 1 % of the mean, ~1.4 % of the CV; the bounds are ~3 of them.
      const meanMs = meanOf(gapsMs);
      assert.ok(Math.abs(meanMs - 100) < 3, `mean ${meanMs} ms, expected 100 ms`);
      const cv = coefficientOfVariation(gapsMs);
      assert.ok(Math.abs(cv - 1) < 0.05, `CV ${cv}, expected 1`);
    }
  });

  it('passes Kolmogorov–Smirnov against Exp(λ) at α = 0.01 (Massey 1951)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const gapsMs = interArrivalsMs(poissonArrivalTimesMs({ ratePerSecond: RATE_PER_SECOND, durationMs: DURATION_MS, seed }));
      const d = ksStatisticExponential(gapsMs, RATE_PER_SECOND);
      assert.ok(d < ksCriticalValue01(gapsMs.length), `seed ${seed}: D = ${d} ≥ ${ksCriticalValue01(gapsMs.length)}`);
    }
  });

  it('passes the index-of-dispersion test of counts per second (Cox & Lewis 1966)', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const timesMs = poissonArrivalTimesMs({ ratePerSecond: RATE_PER_SECOND, durationMs: DURATION_MS, seed });
      const p = dispersionTestPValue(timesMs, DURATION_MS, 1000);
      assert.ok(p > 0.01, `seed ${seed}: p = ${p}`);
    }
  });

  it('rejects a rate that is not positive', () => {
    assert.throws(() => poissonArrivalTimesMs({ ratePerSecond: 0, durationMs: 1000, seed: 1 }), RangeError);
    assert.throws(() => poissonArrivalTimesMs({ ratePerSecond: Number.NaN, durationMs: 1000, seed: 1 }), RangeError);
    assert.throws(() => poissonArrivalTimesMs({ ratePerSecond: 1, durationMs: -1, seed: 1 }), RangeError);
  });
});

// The tests above can fail: the same checks reject arrival processes that are not Poisson.
describe('the goodness-of-fit checks', () => {
  it('reject uniform inter-arrival times of the right mean (Kolmogorov–Smirnov)', () => {
    const random = mulberry32(1);
    const gapsMs = Array.from({ length: 10_000 }, () => random() * 200);
    assert.ok(ksStatisticExponential(gapsMs, RATE_PER_SECOND) > ksCriticalValue01(gapsMs.length));
  });

  it('reject arrivals that come in pairs (dispersion too large)', () => {
    const random = mulberry32(1);
    const timesMs: number[] = [];
    for (let atMs = exponentialInterArrivalMs(random, RATE_PER_SECOND / 2); atMs < DURATION_MS; atMs += exponentialInterArrivalMs(random, RATE_PER_SECOND / 2)) {
      timesMs.push(atMs, atMs);
    }
    assert.ok(dispersionTestPValue(timesMs, DURATION_MS, 1000) < 0.01);
  });

  it('reject evenly spaced arrivals (dispersion too small)', () => {
    const timesMs = Array.from({ length: 10_000 }, (_, i) => i * 100 + 50);
    assert.ok(dispersionTestPValue(timesMs, DURATION_MS, 1000) < 0.01);
  });
});
