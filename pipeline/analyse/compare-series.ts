import { BOOTSTRAP_RESAMPLES, bootstrapMediansSeeded, CONFIDENCE_LEVEL, ratioOfMediansCi } from '../statistics/bootstrap.ts';
import { cliffsDelta } from '../statistics/cliffs-delta.ts';
import { mannWhitneyU } from '../statistics/mann-whitney.ts';
import { isSignificant } from '../statistics/significance.ts';
import type { Comparison } from '../types.ts';

/**
 * The successful durations of one phase (or of the whole life cycle) of one cell, ready to be
 * compared: sorted, with their median and their bootstrap medians drawn once from the
 * series' own seeded stream. Drawing them once per series, not once per comparison, is what
 * keeps a 200-cell matrix with its ~1,100 pairs of cells in seconds: the two sides of every
 * comparison still come from independent streams, as independent resampling requires.
 */
export interface DurationSeries {
  sortedMs: Float64Array;
  medianMs: number;
  /** One median per bootstrap resample, in draw order (not sorted). */
  bootstrapMediansMs: Float64Array;
}

/**
 * Sorts the durations and draws their bootstrap medians from mulberry32(`seed`); callers
 * derive the seed from the matrix seed and a key naming the series (deriveSeed).
 */
export function buildDurationSeries(valuesMs: readonly number[], options: { seed: number; resamples?: number }): DurationSeries {
  if (valuesMs.length === 0) throw new RangeError('buildDurationSeries needs at least one value');
  // Sorted first: everything below depends on the set of values, not on their file order.
  const sortedMs = Float64Array.from(valuesMs).sort();
  return {
    sortedMs,
    medianMs: medianOfSorted(sortedMs),
    bootstrapMediansMs: bootstrapMediansSeeded(sortedMs, options.seed, options.resamples ?? BOOTSTRAP_RESAMPLES),
  };
}

/** Median of sorted values, the same expression as simple-statistics' median. */
function medianOfSorted(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[middle]!;
  return (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Fewer successful samples than this on either side, and a comparison is not made. */
export const MIN_SAMPLES_TO_COMPARE = 2;

/**
 * Whether a series can take part in a comparison: at least two values (one value has no
 * spread, and no test can tell anything from it) and all of them positive (a ratio of
 * medians needs a positive baseline; a measured phase never takes 0 ms).
 */
export function isComparable(series: DurationSeries | undefined): series is DurationSeries {
  return series !== undefined && series.sortedMs.length >= MIN_SAMPLES_TO_COMPARE && series.sortedMs[0]! > 0;
}

/** The statistics of a comparison, without the cells it compares (see Comparison in types.ts). */
export type SeriesComparison = Pick<Comparison, 'ratio' | 'ciLow' | 'ciHigh' | 'pValue' | 'effectSize' | 'significant'>;

/**
 * Candidate against baseline: the ratio of medians with its percentile bootstrap interval,
 * the Mann-Whitney p-value and Cliff's delta, and the one significance rule
 * (significance.ts). Both series must be comparable and bootstrapped with as many resamples.
 */
export function compareSeries(baseline: DurationSeries, candidate: DurationSeries, confidence = CONFIDENCE_LEVEL): SeriesComparison {
  if (!isComparable(baseline) || !isComparable(candidate)) {
    throw new RangeError(`compareSeries needs at least ${MIN_SAMPLES_TO_COMPARE} positive durations on each side`);
  }
  const [ciLow, ciHigh] = ratioOfMediansCi(baseline.bootstrapMediansMs, candidate.bootstrapMediansMs, confidence);
  const { pValue } = mannWhitneyU(baseline.sortedMs, candidate.sortedMs);
  return {
    ratio: candidate.medianMs / baseline.medianMs,
    ciLow,
    ciHigh,
    pValue,
    effectSize: cliffsDelta(baseline.sortedMs, candidate.sortedMs),
    significant: isSignificant({ pValue, ciLow, ciHigh }),
  };
}
