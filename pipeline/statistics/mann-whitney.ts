import { erfc } from './normal-distribution.ts';

/** How the p-value was found: the exact null distribution of U, or the normal approximation. */
export type MannWhitneyMethod = 'exact' | 'normal';

export interface MannWhitneyResult {
  /**
   * U of the candidate: the pairs (baseline b, candidate c) with c > b, ties counting one
   * half. R's wilcox.test(candidate, baseline) reports the same number as W.
   */
  u: number;
  /** Two-sided p-value of "both samples come from the same distribution". */
  pValue: number;
  method: MannWhitneyMethod;
}

/**
 * Below this many values on both sides and without ties, the exact null distribution of U is
 * used, as R's wilcox.test does by default (its limit, n < 50 each).
 */
export const EXACT_LIMIT = 50;

/**
 * Two-sided Mann-Whitney U test (Wilcoxon rank-sum test) of two independent samples.
 *
 * - Both samples smaller than 50 and no tied values anywhere: the exact p-value,
 *   min(1, 2 · min(P(U ≤ u), P(U ≥ u))) under H0, from the distribution counted by
 *   exactDistribution below. Repetitions of a phase are timed to the microsecond, so ties are
 *   rare and the thesis's n = 20 cells get exact p-values.
 * - Otherwise the normal approximation with the tie correction of the variance,
 *   σ² = m·n/12 · ((N + 1) − Σ(t³ − t) / (N(N − 1))), and a continuity correction of ½
 *   towards the mean: z = max(|U − m·n/2| − ½, 0) / σ, p = 2·(1 − Φ(z)) = erfc(z/√2).
 *
 * Both are what R's wilcox.test(x, y) does with its defaults (exact = NULL, correct = TRUE).
 * With σ = 0 (every value equal) there is no evidence of a difference and p = 1.
 * `method` forces one of the two, as R's `exact` argument does; an exact p-value with ties
 * is refused (its distribution would not be that of U with ties).
 */
export function mannWhitneyU(
  baseline: ArrayLike<number>,
  candidate: ArrayLike<number>,
  options: { method?: 'auto' | MannWhitneyMethod } = {},
): MannWhitneyResult {
  const m = baseline.length;
  const n = candidate.length;
  if (m === 0 || n === 0) throw new RangeError('mannWhitneyU needs at least one value on each side');
  const sortedBaseline = Float64Array.from(baseline).sort();
  const sortedCandidate = Float64Array.from(candidate).sort();
  const { rankSum, tieTerm } = rankSumOfSecond(sortedBaseline, sortedCandidate);
  const u = rankSum - (n * (n + 1)) / 2;

  const method = options.method ?? 'auto';
  if (method === 'exact' && tieTerm !== 0) throw new RangeError('mannWhitneyU cannot give an exact p-value with tied values');
  if (method === 'exact' || (method === 'auto' && tieTerm === 0 && m < EXACT_LIMIT && n < EXACT_LIMIT)) {
    return { u, pValue: exactTwoSidedP(u, m, n), method: 'exact' };
  }
  const total = m + n;
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (!(variance > 0)) return { u, pValue: 1, method: 'normal' };
  const z = Math.max(Math.abs(u - (m * n) / 2) - 0.5, 0) / Math.sqrt(variance);
  return { u, pValue: Math.min(1, erfc(z / Math.SQRT2)), method: 'normal' };
}

/**
 * Midranks of the pooled sorted samples, merged in one pass: the rank sum of `second` and
 * Σ(t³ − t) over groups of t tied values (0 when nothing is tied).
 */
function rankSumOfSecond(first: Float64Array, second: Float64Array): { rankSum: number; tieTerm: number } {
  let i = 0;
  let j = 0;
  let ranked = 0;
  let rankSum = 0;
  let tieTerm = 0;
  while (i < first.length || j < second.length) {
    const value = Math.min(i < first.length ? first[i]! : Infinity, j < second.length ? second[j]! : Infinity);
    let inFirst = 0;
    let inSecond = 0;
    while (i < first.length && first[i] === value) {
      i++;
      inFirst++;
    }
    while (j < second.length && second[j] === value) {
      j++;
      inSecond++;
    }
    const tied = inFirst + inSecond;
    // Ranks ranked+1 … ranked+tied share their mean.
    rankSum += inSecond * (ranked + (tied + 1) / 2);
    if (tied > 1) tieTerm += tied * tied * tied - tied;
    ranked += tied;
  }
  return { rankSum, tieTerm };
}

function exactTwoSidedP(u: number, m: number, n: number): number {
  const frequencies = exactDistribution(m, n);
  // The distribution is symmetric about m·n/2: take the tail u lies in, by its mirror image.
  const k = Math.min(u, m * n - u);
  let tail = 0;
  let total = 0;
  for (let v = 0; v < frequencies.length; v++) {
    const f = frequencies[v]!;
    total += f;
    if (v <= k) tail += f;
  }
  return Math.min(1, (2 * tail) / total);
}

const exactCache = new Map<string, Float64Array>();

/**
 * How many of the C(m + n, m) equally likely arrangements under H0 give U = 0, 1, …, m·n:
 * the coefficients of the Gaussian binomial [m + n choose m]_q. Built by its q-Pascal rule
 * G(i, j) = G(i − 1, j) + q^i · G(i, j − 1), which only adds non-negative numbers, so the
 * counts keep full relative precision in doubles even where they exceed 2⁵³. At most
 * ~1.5 million additions (49 × 49), and memoised per (m, n): a pure function of its input.
 */
export function exactDistribution(m: number, n: number): Float64Array {
  const [small, large] = m <= n ? [m, n] : [n, m];
  const key = `${small}×${large}`;
  const cached = exactCache.get(key);
  if (cached) return cached;
  // row[i] = G(i, j) for the current j; G(i, 0) = G(0, j) = 1 (only U = 0 is possible).
  let row: Float64Array[] = Array.from({ length: small + 1 }, () => Float64Array.of(1));
  for (let j = 1; j <= large; j++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let i = 1; i <= small; i++) {
      const left = next[i - 1]!; // G(i − 1, j), degree (i − 1)·j
      const up = row[i]!; // G(i, j − 1), degree i·(j − 1)
      const polynomial = new Float64Array(i * j + 1);
      polynomial.set(left);
      for (let d = 0; d < up.length; d++) polynomial[d + i]! += up[d]!;
      next.push(polynomial);
    }
    row = next;
  }
  const distribution = row[small]!;
  exactCache.set(key, distribution);
  return distribution;
}

/**
 * The smallest two-sided p-value mannWhitneyU can return for samples of m and n values
 * without ties: that of complete separation (every candidate above every baseline value, or
 * below, U = m·n or 0), found the way mannWhitneyU finds p — exactly when both sides are
 * smaller than EXACT_LIMIT, 2 / C(m + n, m); by the normal approximation with its continuity
 * correction otherwise. Below it no data of these sizes can go, so a test at a level at or
 * under it cannot reject: at 3 against 3 it is 2/20 = 0.1, at 8 against 8 2/12870 ≈ 0.00016.
 *
 * Ties are left out on purpose: repetitions are timed to the microsecond and rarely tie, and
 * ties (which switch the test to the normal approximation with a smaller variance) could only
 * push the floor lower — all of one side equal and all of the other equal gives p ≈ 0.047
 * at 3 against 3 — which no real timing run produces.
 */
export function minReachablePValue(m: number, n: number): number {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1) {
    throw new RangeError(`minReachablePValue needs whole sample sizes of at least 1, not ${m} and ${n}`);
  }
  if (m < EXACT_LIMIT && n < EXACT_LIMIT) return exactTwoSidedP(0, m, n);
  const total = m + n;
  const variance = ((m * n) / 12) * (total + 1);
  const z = Math.max((m * n) / 2 - 0.5, 0) / Math.sqrt(variance);
  return Math.min(1, erfc(z / Math.SQRT2));
}
