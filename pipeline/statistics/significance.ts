/**
 * The one decision rule behind "significant" in the summary and in `crbench compare`:
 * a difference counts when the Mann-Whitney test rejects "same distribution" at the 5 % level
 * AND the bootstrap confidence interval of the ratio of medians excludes 1. Requiring both
 * guards against the test reacting to a change of shape while the medians agree, and against
 * an interval that barely misses 1 on a lucky resampling.
 */
export const SIGNIFICANCE_LEVEL = 0.05;

export interface SignificanceEvidence {
  pValue: number;
  /** Bounds of the confidence interval of median(candidate) / median(baseline). */
  ciLow: number;
  ciHigh: number;
}

/** p < 0.05 and the ratio's confidence interval lies entirely above or below 1. */
export function isSignificant(evidence: SignificanceEvidence): boolean {
  return evidence.pValue < SIGNIFICANCE_LEVEL && (evidence.ciLow > 1 || evidence.ciHigh < 1);
}

/**
 * Holm's step-down adjustment (Holm 1979) of p-values tested together: the i-th smallest
 * p (1-based) becomes max over j ≤ i of min(1, (m − j + 1)·p_(j)). It keeps the chance of
 * even one false "significant" among all m tests at the level, which a nightly check over
 * a thousand cells and phases needs: unadjusted, noise alone would flag about 1 % of them.
 * Same order as the input.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues.map((p, index) => ({ p, index })).sort((a, b) => a.p - b.p || a.index - b.index);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  order.forEach(({ p, index }, rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}
