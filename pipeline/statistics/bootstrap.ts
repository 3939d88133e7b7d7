import type { RandomSource } from './seeded-random.ts';

/**
 * Resamples per interval: enough for stable 2.5 % / 97.5 % percentiles at these n. The same
 * count serves the median intervals of the phases and the ratio intervals of the
 * comparisons, which are built from the same bootstrap medians (see bootstrapMedians).
 */
export const BOOTSTRAP_RESAMPLES = 2000;
export const CONFIDENCE_LEVEL = 0.95;

export interface BootstrapOptions {
  random: RandomSource;
  resamples?: number;
  confidence?: number;
}

/**
 * The bootstrap distribution of the median: `resamples` samples of size n drawn with
 * replacement from `sortedValues`, and the median of each, in draw order.
 *
 * The input must be sorted ascending. A resample is then fully described by how often each
 * index was drawn, so its median is read off the cumulative counts in O(n) instead of
 * sorting it (O(n log n)); the result is the same number, draw for draw, as sorting the
 * drawn values and taking their median would give.
 */
export function bootstrapMedians(sortedValues: ArrayLike<number>, options: Omit<BootstrapOptions, 'confidence'>): Float64Array {
  const { random } = options;
  return resampleMedians(sortedValues, options.resamples ?? BOOTSTRAP_RESAMPLES, (n) => Math.floor(random() * n));
}

/**
 * bootstrapMedians with the random numbers of mulberry32(seed), bit for bit, but with the
 * generator's arithmetic written into the loop: 100,000 samples mean ~10⁸ draws, and a call
 * per draw costs more than the draw. The test suite checks both give identical medians.
 */
export function bootstrapMediansSeeded(sortedValues: ArrayLike<number>, seed: number, resamples = BOOTSTRAP_RESAMPLES): Float64Array {
  const n = sortedValues.length;
  if (n === 0) throw new RangeError('bootstrapMedians needs at least one value');
  if (n >= 2 ** 21) throw new RangeError('bootstrapMediansSeeded draws indices below 2^21 only');
  let state = seed >>> 0;
  const medians = new Float64Array(resamples);
  const counts = new Int32Array(n);
  const lowRank = (n - 1) >> 1;
  const highRank = n >> 1;
  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      // mulberry32 (seeded-random.ts), inlined.
      state = (state + 0x6d2b79f5) | 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      // floor(u · n) with u = x / 2³²: x · n < 2⁵³ is exact, so this is the same index.
      counts[Math.floor((((t ^ (t >>> 14)) >>> 0) * n) / 4294967296)]!++;
    }
    medians[r] = medianFromCounts(sortedValues, counts, lowRank, highRank);
  }
  return medians;
}

function resampleMedians(sortedValues: ArrayLike<number>, resamples: number, drawIndex: (n: number) => number): Float64Array {
  const n = sortedValues.length;
  if (n === 0) throw new RangeError('bootstrapMedians needs at least one value');
  const medians = new Float64Array(resamples);
  const counts = new Int32Array(n);
  // 0-based ranks of the middle order statistics: equal for odd n, adjacent for even n.
  const lowRank = (n - 1) >> 1;
  const highRank = n >> 1;
  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[drawIndex(n)]!++;
    medians[r] = medianFromCounts(sortedValues, counts, lowRank, highRank);
  }
  return medians;
}

/** The median of a resample given as draw counts per index of the sorted values. */
function medianFromCounts(sortedValues: ArrayLike<number>, counts: Int32Array, lowRank: number, highRank: number): number {
  let seen = 0;
  let index = 0;
  // Walk the cumulative counts up to the lower middle rank...
  while ((seen += counts[index]!) <= lowRank) index++;
  const low = sortedValues[index]!;
  // ...and on to the upper one, which is often drawn at the same index.
  while (seen <= highRank) seen += counts[++index]!;
  // The same expression as simple-statistics' median, so the numbers agree bit for bit.
  return lowRank === highRank ? low : (low + sortedValues[index]!) / 2;
}

/**
 * The percentile interval of a bootstrap distribution: its (1 − c)/2 and (1 + c)/2
 * quantiles (type 7, as quantileType7 on the sorted replicates gives them, found by
 * selection in O(resamples) rather than by sorting). Does not change `replicates`.
 */
export function percentileInterval(replicates: Float64Array, confidence = CONFIDENCE_LEVEL): [number, number] {
  if (replicates.length === 0) throw new RangeError('percentileInterval needs at least one replicate');
  const work = replicates.slice();
  const tail = (1 - confidence) / 2;
  return [quantileBySelection(work, tail), quantileBySelection(work, 1 - tail)];
}

/**
 * quantileType7 of the sorted `values`, without sorting them: the two order statistics it
 * interpolates between are found by selection (which permutes `values`). The arithmetic is
 * simple-statistics' quantileSorted, so the result is the same number.
 */
export function quantileBySelection(values: Float64Array, p: number): number {
  const last = values.length - 1;
  if (p === 1) return selectInPlace(values, last);
  if (p === 0) return selectInPlace(values, 0);
  const position = last * p;
  const lower = Math.floor(position);
  const low = selectInPlace(values, lower);
  if (position % 1 === 0) return low;
  // After selecting rank `lower`, everything to its right is ≥ it: the next order statistic is their minimum.
  let high = Infinity;
  for (let i = lower + 1; i <= last; i++) if (values[i]! < high) high = values[i]!;
  return low + (position - lower) * (high - low);
}

/**
 * Puts the k-th smallest value (0-based) at index k, smaller-or-equal ones before it and
 * greater-or-equal ones after, and returns it: Hoare's selection with a median-of-three
 * pivot (Numerical Recipes' `select`), deterministic and at ease with many equal values.
 */
function selectInPlace(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  const swap = (i: number, j: number) => {
    const held = values[i]!;
    values[i] = values[j]!;
    values[j] = held;
  };
  for (;;) {
    if (right <= left + 1) {
      if (right === left + 1 && values[right]! < values[left]!) swap(left, right);
      return values[k]!;
    }
    swap((left + right) >> 1, left + 1);
    if (values[left]! > values[right]!) swap(left, right);
    if (values[left + 1]! > values[right]!) swap(left + 1, right);
    if (values[left]! > values[left + 1]!) swap(left, left + 1);
    let i = left + 1;
    let j = right;
    const pivot = values[left + 1]!;
    for (;;) {
      do i++;
      while (values[i]! < pivot);
      do j--;
      while (values[j]! > pivot);
      if (j < i) break;
      swap(i, j);
    }
    values[left + 1] = values[j]!;
    values[j] = pivot;
    if (j >= k) right = j - 1;
    if (j <= k) left = i;
  }
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
  if (valuesMs.length === 0) throw new RangeError('bootstrapMedianCi needs at least one value');
  // Sorted input: the interval then depends on the values only, not on their file order.
  const sorted = Float64Array.from(valuesMs).sort();
  return percentileInterval(bootstrapMedians(sorted, options), options.confidence ?? CONFIDENCE_LEVEL);
}

/**
 * Percentile bootstrap interval of median(candidate) / median(baseline) from each side's own
 * bootstrap medians: replicate r of the ratio is candidate[r] / baseline[r]. The two sides
 * must come from independent random streams (each resampled on its own, as the two samples
 * were measured independently); pairing replicate r with replicate r is then a draw from the
 * joint bootstrap distribution.
 */
export function ratioOfMediansCi(
  baselineMedians: Float64Array,
  candidateMedians: Float64Array,
  confidence = CONFIDENCE_LEVEL,
): [number, number] {
  if (baselineMedians.length !== candidateMedians.length) {
    throw new RangeError(`ratioOfMediansCi needs as many replicates on each side (${baselineMedians.length} ≠ ${candidateMedians.length})`);
  }
  const ratios = new Float64Array(baselineMedians.length);
  for (let r = 0; r < ratios.length; r++) ratios[r] = candidateMedians[r]! / baselineMedians[r]!;
  return percentileInterval(ratios, confidence);
}
