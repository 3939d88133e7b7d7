import type { RandomSource } from './seeded-random.ts';
import { quantileType7 } from './statistics.ts';

/** Resamples per interval: enough for stable 2.5 % / 97.5 % percentiles at these n. */
export const BOOTSTRAP_RESAMPLES = 2000;
export const CONFIDENCE_LEVEL = 0.95;

export interface BootstrapOptions {
  random: RandomSource;
  resamples?: number;
  confidence?: number;
}

/**
 * Percentile bootstrap confidence interval of the median: draw `resamples` samples of size n
 * with replacement, take each one's median, and report the (1 − c)/2 and (1 + c)/2 quantiles
 * (type 7) of those medians. Non-parametric, because phase durations are skewed and often
 * bimodal, where a normal-theory interval would mislead.
 *
 * @returns [low, high]; for one value both ends are that value.
 */
export function bootstrapMedianCi(valuesMs: readonly number[], options: BootstrapOptions): [number, number] {
  const n = valuesMs.length;
  if (n === 0) throw new RangeError('bootstrapMedianCi needs at least one value');
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const confidence = options.confidence ?? CONFIDENCE_LEVEL;
  // Sorted input: the interval then depends on the values only, not on their file order.
  const sorted = Float64Array.from(valuesMs).sort();
  const medians = new Float64Array(resamples);
  const draw = new Float64Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) draw[i] = sorted[Math.floor(options.random() * n)] as number;
    medians[r] = medianInPlace(draw);
  }
  medians.sort();
  const tail = (1 - confidence) / 2;
  const ordered = Array.from(medians);
  return [quantileType7(ordered, tail), quantileType7(ordered, 1 - tail)];
}

/** Median of a typed array (sorts it); the same definition as simple-statistics' median. */
function medianInPlace(values: Float64Array): number {
  values.sort();
  const middle = values.length >> 1;
  if (values.length % 2 === 1) return values[middle] as number;
  return ((values[middle - 1] as number) + (values[middle] as number)) / 2;
}
