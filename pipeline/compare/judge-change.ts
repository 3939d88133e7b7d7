/**
 * The verdict of `crbench compare` on one cell and phase. A metric changed only when the
 * change is both large enough to matter (beyond the threshold, in percent of the baseline
 * median) and real (significant by the one rule of pipeline/statistics/significance.ts:
 * Mann-Whitney p < 0.05 and the ratio's CI excludes 1). Either alone is not enough: with
 * many repetitions a 1 % drift becomes significant, and with few a 30 % jump can be noise.
 * 'missing' is decided before this, when a side has too few samples to compare.
 *
 * 'untestable' is a row that is not significant and could not have been: at its sample
 * sizes even complete separation of the two sides would not bring the (Holm-adjusted)
 * Mann-Whitney p below the level — at 3 repetitions against 3 no two-sided p goes below
 * 0.1. Such a row says nothing about whether the metric changed, so it is never 'unchanged'.
 */
export type CompareVerdict = 'regressed' | 'improved' | 'unchanged' | 'untestable' | 'missing';

/**
 * `detectable` (default true): whether a change of this row could reach significance at all
 * (see CompareRow.detectable). A significant row is judged on its ratio even when its
 * floor said otherwise (tied values can take the test below the tie-free floor).
 */
export function judgeChange(
  result: { ratio: number; significant: boolean; detectable?: boolean },
  thresholdPercent: number,
): Exclude<CompareVerdict, 'missing'> {
  if (!result.significant) return result.detectable === false ? 'untestable' : 'unchanged';
  if (result.ratio > 1 + thresholdPercent / 100) return 'regressed';
  if (result.ratio < 1 - thresholdPercent / 100) return 'improved';
  return 'unchanged';
}
