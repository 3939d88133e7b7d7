/**
 * Cliff's delta (N. Cliff, "Dominance statistics: ordinal analyses to answer ordinal
 * questions", Psychological Bulletin 114 (1993) 494–509) of a candidate against a baseline:
 *
 *   δ = (#{(b, c) : c > b} − #{(b, c) : c < b}) / (m · n)
 *
 * over all m·n pairs of a baseline value b and a candidate value c; ties count in neither.
 * In [−1, 1]: −1 when every candidate value is below every baseline value (the candidate is
 * always faster), 0 when neither side tends to be larger, +1 when the candidate is always
 * slower. It makes no assumption about the shape of the distributions, like the
 * Mann-Whitney test beside it: δ = 2U/(m·n) − 1 with U the candidate's Mann-Whitney U.
 */
export function cliffsDelta(baseline: ArrayLike<number>, candidate: ArrayLike<number>): number {
  const m = baseline.length;
  const n = candidate.length;
  if (m === 0 || n === 0) throw new RangeError('cliffsDelta needs at least one value on each side');
  const sortedBaseline = Float64Array.from(baseline).sort();
  const sortedCandidate = Float64Array.from(candidate).sort();
  // For each candidate value in ascending order, two pointers count the baseline values
  // below it and not above it: O((m + n) log(m + n)) instead of m·n comparisons.
  let below = 0;
  let notAbove = 0;
  let dominance = 0;
  for (const c of sortedCandidate) {
    while (below < m && sortedBaseline[below]! < c) below++;
    while (notAbove < m && sortedBaseline[notAbove]! <= c) notAbove++;
    // below values are smaller than c, m − notAbove are larger.
    dominance += below - (m - notAbove);
  }
  return dominance / (m * n);
}
