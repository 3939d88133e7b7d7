import { median } from 'simple-statistics';

/**
 * Outlier flagging by the modified z-score of B. Iglewicz and D. C. Hoaglin, "How to Detect
 * and Handle Outliers" (ASQC Basic References in Quality Control 16, 1993):
 *
 *   Mᵢ = 0.6745 · (xᵢ − median) / MAD,   MAD = median(|xᵢ − median|),
 *
 * and xᵢ is flagged when |Mᵢ| > 3.5. 0.6745 is the 0.75 quantile of the standard normal, so
 * MAD / 0.6745 estimates σ for normal data while a few slow repetitions cannot inflate it the
 * way they inflate a standard deviation. Flagged samples are counted for the reader, never
 * dropped: a scheduler hiccup is part of what a grader sees.
 */
export const MODIFIED_Z_FACTOR = 0.6745;
export const MODIFIED_Z_THRESHOLD = 3.5;

/**
 * The modified z-score of each value, in input order. When more than half the values are
 * equal the MAD is 0 and the score is undefined: every score is then 0 (nothing can be called
 * unusual against a spread of zero, and dividing by it would flag every other value).
 */
export function modifiedZScores(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const center = median(values as number[]);
  const mad = median(values.map((value) => Math.abs(value - center)));
  if (mad === 0) return values.map(() => 0);
  return values.map((value) => (MODIFIED_Z_FACTOR * (value - center)) / mad);
}

/** How many values have |modified z-score| > 3.5 (slow and fast ones alike). */
export function countOutliers(values: readonly number[]): number {
  return modifiedZScores(values).filter((score) => Math.abs(score) > MODIFIED_Z_THRESHOLD).length;
}
