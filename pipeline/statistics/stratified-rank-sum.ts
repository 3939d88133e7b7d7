import { mannWhitneyU } from './mann-whitney.ts';
import { erfc } from './normal-distribution.ts';

/**
 * One two-sided test of "candidate and baseline come from the same distribution" across
 * several strata (pairs of cells that agree on every other axis): each stratum's U is
 * standardised, z = (U − m·n/2) / √(m·n·(m + n + 1)/12), and the z's are combined with
 * equal weights, Z = Σz / √k (Stouffer), p = erfc(|Z|/√2). Equal weights make each pair of
 * configurations one piece of evidence, whatever its n; the strata need not share a scale,
 * which is why the ranks are taken within each pair and never across pairs (van Elteren's
 * idea). With one stratum it is that stratum's own Mann-Whitney p (exact at small n).
 */
export function stratifiedRankSumP(strata: readonly { baseline: ArrayLike<number>; candidate: ArrayLike<number> }[]): number {
  const usable = strata.filter((stratum) => stratum.baseline.length > 0 && stratum.candidate.length > 0);
  if (usable.length === 0) throw new RangeError('stratifiedRankSumP needs one stratum with values on both sides');
  if (usable.length === 1) return mannWhitneyU(usable[0]!.baseline, usable[0]!.candidate).pValue;
  let sumZ = 0;
  for (const { baseline, candidate } of usable) {
    const m = baseline.length;
    const n = candidate.length;
    const { u } = mannWhitneyU(baseline, candidate, { method: 'normal' });
    sumZ += (u - (m * n) / 2) / Math.sqrt((m * n * (m + n + 1)) / 12);
  }
  const z = Math.abs(sumZ) / Math.sqrt(usable.length);
  return Math.min(1, erfc(z / Math.SQRT2));
}
