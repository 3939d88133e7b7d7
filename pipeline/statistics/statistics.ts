import { max, mean, median, min, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import type { PhaseStats } from '../types.ts';

/**
 * Descriptive statistics of one non-empty set of durations: the part of a phase's
 * statistics that needs neither errors, a bootstrap nor outliers. The standard deviation is
 * the sample one (divides by n − 1), 0 for a single value, see below.
 */
export type DurationStats = Pick<PhaseStats, 'n' | 'medianMs' | 'meanMs' | 'stdDevMs' | 'minMs' | 'maxMs' | 'p25Ms' | 'p75Ms' | 'p95Ms' | 'p99Ms'>;

/**
 * Quantile of already sorted values with linear interpolation between order statistics:
 * Hyndman & Fan type 7, the default of R's quantile() and numpy.percentile
 * (h = (n − 1)·p, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])). simple-statistics ≥ 7.8 implements
 * exactly this; it is wrapped here so the definition is named in one place.
 */
export function quantileType7(sortedValues: ArrayLike<number>, p: number): number {
  // quantileSorted only indexes and reads length, so a typed array serves as well.
  return quantileSorted(sortedValues as number[], p);
}

/**
 * The median of any numbers, in any order (the middle one, or the mean of the two middle
 * ones): the one definition every stage uses. NaN for none.
 */
export function medianOf(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  return median(Array.from(values).sort((a, b) => a - b));
}

/**
 * Describes durations in milliseconds. Throws on an empty list: a phase without a
 * successful sample has no statistics and is left out of the summary instead.
 */
export function describeDurations(valuesMs: readonly number[]): DurationStats {
  if (valuesMs.length === 0) throw new RangeError('describeDurations needs at least one value');
  // Sorting first makes every result depend on the set of values only, not on the order
  // the samples were written in (the mean's floating-point sum included).
  const sorted = [...valuesMs].sort((a, b) => a - b);
  return {
    n: sorted.length,
    medianMs: median(sorted),
    meanMs: mean(sorted),
    // The sample standard deviation is undefined for one value; 0 keeps the summary valid
    // JSON (NaN would be written as null) and n = 1 next to it tells the reader why.
    stdDevMs: sorted.length > 1 ? sampleStandardDeviation(sorted) : 0,
    minMs: min(sorted),
    maxMs: max(sorted),
    p25Ms: quantileType7(sorted, 0.25),
    p75Ms: quantileType7(sorted, 0.75),
    p95Ms: quantileType7(sorted, 0.95),
    p99Ms: quantileType7(sorted, 0.99),
  };
}
