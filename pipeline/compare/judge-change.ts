/**
 * The verdict of `crbench compare` on one cell and phase. A metric changed only when the
 * change is both large enough to matter (beyond the threshold, in percent of the baseline
 * median) and real (significant by the one rule of pipeline/statistics/significance.ts:
 * Mann-Whitney p < 0.05 and the ratio's CI excludes 1). Either alone is not enough: with
 * many repetitions a 1 % drift becomes significant, and with few a 30 % jump can be noise.
 * 'missing' is decided before this, when a side has too few samples to compare.
 */
export type CompareVerdict = 'regressed' | 'improved' | 'unchanged' | 'missing';

export function judgeChange(
  result: { ratio: number; significant: boolean },
  thresholdPercent: number,
): Exclude<CompareVerdict, 'missing'> {
  if (!result.significant) return 'unchanged';
  if (result.ratio > 1 + thresholdPercent / 100) return 'regressed';
  if (result.ratio < 1 - thresholdPercent / 100) return 'improved';
  return 'unchanged';
}
