import { mulberry32, type RandomSource } from './seeded-random.ts';

/** What a rate step of the open-loop load experiment asks of its arrival process. */
export interface PoissonArrivalOptions {
  /** λ, the mean number of submissions per second. */
  ratePerSecond: number;
  /** The arrival window: every arrival falls in [0, durationMs). */
  durationMs: number;
  /**
   * The stream's seed, e.g. deriveSeed(matrix seed, `${runtime}/${rate}/${repeat}`), so a step
   * gets the same arrivals on every run and another step's arrivals never shift them.
   */
  seed: number;
}

/**
 * One exponential inter-arrival time of mean 1000/λ ms, by inversion: X = −ln(1 − U)/λ for U
 * uniform on [0, 1). 1 − U lies in (0, 1], so the logarithm is finite (U = 0 gives X = 0).
 */
export function exponentialInterArrivalMs(random: RandomSource, ratePerSecond: number): number {
  return (-Math.log(1 - random()) * 1000) / ratePerSecond;
}

/**
 * The intended arrival times of a homogeneous Poisson process of rate λ on [0, durationMs), in
 * ms from the start of the rate step, ascending: the partial sums of exponential inter-arrival
 * times drawn from mulberry32(seed). Open-loop: the times depend on the seed alone, never on how
 * fast anything is served (clusterloader2's PoissonLoad draws its schedule the same way).
 */
export function poissonArrivalTimesMs(options: PoissonArrivalOptions): number[] {
  const { ratePerSecond, durationMs, seed } = options;
  if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) {
    throw new RangeError(`poissonArrivalTimesMs needs a positive finite rate, not ${ratePerSecond}`);
  }
  if (!(Number.isFinite(durationMs) && durationMs >= 0)) {
    throw new RangeError(`poissonArrivalTimesMs needs a non-negative finite duration, not ${durationMs}`);
  }
  const random = mulberry32(seed);
  const timesMs: number[] = [];
  for (let atMs = exponentialInterArrivalMs(random, ratePerSecond); atMs < durationMs; atMs += exponentialInterArrivalMs(random, ratePerSecond)) {
    timesMs.push(atMs);
  }
  return timesMs;
}
