import { bootstrapMedianCi } from '../statistics/bootstrap.ts';
import { deriveSeed, mulberry32 } from '../statistics/seeded-random.ts';
import { describeDurations } from '../statistics/statistics.ts';
import { LIFECYCLE_PHASES, type Matrix, type Sample } from '../types.ts';

/** Why a cell stopped getting repetitions, recorded in the manifest. */
export type StopReason = 'precise' | 'max-repetitions' | 'interrupted' | 'not-run';

/**
 * Whether a cell's measurements are precise enough to stop: at least `minRepetitions`
 * measured, and for every life-cycle phase the bootstrap 95% CI of the median within
 * ±target of the median. The same bootstrap as the analysis, so the report's intervals are
 * the ones the run stopped on.
 */
export function isPreciseEnough(samples: readonly Sample[], adaptive: NonNullable<Matrix['adaptive']>, seed: number): boolean {
  const measured = samples.filter((sample) => !sample.warmup && sample.ok);
  for (const phase of LIFECYCLE_PHASES) {
    const values = measured.filter((sample) => sample.phase === phase).map((sample) => sample.durationMs);
    if (values.length < adaptive.minRepetitions) return false;
    const median = describeDurations(values).medianMs;
    const [low, high] = bootstrapMedianCi(values, { random: mulberry32(deriveSeed(seed, `adaptive/${samples[0]?.cellId}/${phase}`)) });
    if (Math.max(median - low, high - median) > adaptive.targetRelativeHalfWidth * median) return false;
  }
  return true;
}
