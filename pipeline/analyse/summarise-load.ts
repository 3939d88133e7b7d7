import { BOOTSTRAP_RESAMPLES, CONFIDENCE_LEVEL, percentileInterval, quantileBySelection } from '../statistics/bootstrap.ts';
import { allenCunneenMeanWaitMs, checkLittlesLaw, offeredLoadErlangs, type ObservedWindow } from '../statistics/queueing.ts';
import { deriveSeed, mulberry32, type RandomSource } from '../statistics/seeded-random.ts';
import { quantileType7 } from '../statistics/statistics.ts';

/**
 * One submission of an open-loop rate step, as the load experiment records it. Times are ms
 * from the start of the step on one monotonic clock: latency = doneAt − intendedAt, waiting =
 * dispatchedAt − intendedAt.
 */
export interface LoadSample {
  runtime: string;
  /** What else tells this series apart (storage driver, filesystem…); '' if nothing. */
  configLabel: string;
  /** The offered rate λ of the step, submissions per second. */
  ratePerSecond: number;
  /** The step's place in the rate sweep (0-based). */
  rateStepIndex: number;
  repeat: number;
  /** Submissions in service at once. */
  slots: number;
  /** The step's warm-up window [0, warmupMs) and measured window [warmupMs, warmupMs + measuredMs). */
  warmupMs: number;
  measuredMs: number;
  intendedAtMs: number;
  /** null: still queued when the step's drain bound came. */
  dispatchedAtMs: number | null;
  /** null: not finished by the drain bound (still queued or abandoned in service). */
  doneAtMs: number | null;
  /** Graded: served without error. */
  ok: boolean;
  /** Arrived in the warm-up window: counted in the system, not in the statistics. */
  warmup: boolean;
}

/** p50 / p95 / p99 in ms; null where the quantile falls among submissions that have none (never done). */
export interface LoadQuantiles {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** One rate of one series, pooled over its repeats. */
export interface LoadRateSummary {
  ratePerSecond: number;
  repeats: number;
  slots: number;
  /** Arrivals in the measured windows, and what became of them. */
  n: number;
  ok: number;
  errored: number;
  /** Not done by the drain bound. */
  unfinished: number;
  /** Arrivals in the measured windows per second: the offered rate as it was realised. */
  arrivalRatePerSecond: number;
  /** Graded completions inside the measured windows per second. */
  throughputPerSecond: number;
  /** Latency (done − intended); a submission without a grade counts as never done. */
  latency: LoadQuantiles;
  /** Waiting (dispatched − intended); a submission never dispatched counts as waiting for ever. */
  waiting: LoadQuantiles;
  /** Mean waiting of the dispatched measured submissions; null if none was. */
  meanWaitingMs: number | null;
  /** Service time (done − dispatched) of the graded measured submissions: mean and CV. */
  meanServiceMs: number | null;
  serviceCv: number | null;
  /** ρ = λ·E[S]/slots, at the offered rate. */
  utilisation: number | null;
  /** The M/G/c mean waiting (Erlang C, Allen–Cunneen) at λ, E[S], Cs; null at ρ ≥ 1 or without service times. */
  predictedMeanWaitingMs: number | null;
  /** L (time-average number in system) against λ·W over the measured windows. */
  littlesLaw: { meanInSystem: number; lambdaTimesW: number; relativeError: number };
  /** Completions keep up with the arrivals (within 5 % plus the slots still in service) and p95 latency ≤ the SLO (isSustainable). */
  sustainable: boolean;
}

/** One runtime (and configuration) across its rate sweep. */
export interface LoadSeriesSummary {
  runtime: string;
  configLabel: string;
  sloP95Ms: number;
  /** Ascending by rate. */
  rates: LoadRateSummary[];
  /** The largest tested rate that is sustainable; null if none is. */
  maxSustainableRatePerSecond: number | null;
  /**
   * Percentile bootstrap interval of the max sustainable rate (submissions resampled within
   * each step, the verdict of every rate recomputed); 0 stands for "no tested rate".
   */
  maxSustainableRateCi: [number, number];
}

export interface SummariseLoadOptions {
  sloP95Ms: number;
  /** The matrix seed: each series's bootstrap stream is derived from it and the series. */
  seed: number;
  resamples?: number;
  confidence?: number;
}

/** How far below the arrival rate the throughput may fall and still count as keeping up. */
export const THROUGHPUT_TOLERANCE = 0.05;

/** What a rate's verdict rests on: counts inside the measured windows, and the p95 latency. */
export interface SustainabilityEvidence {
  /** Measured arrivals in the windows, and graded completions in the same windows. */
  arrivals: number;
  completions: number;
  /** Submissions in service at once: at most these may still be in service as a window ends. */
  slots: number;
  p95LatencyMs: number | null;
  sloP95Ms: number;
}

/**
 * A rate is sustainable when the host keeps up and the p95 latency meets the SLO. Keeping up:
 * by the windows' end, the graded completions fall short of the realised arrivals by at most
 * 5 % plus one window's worth of slots, the submissions still in service as a window closes.
 * Without that allowance a step of a dozen arrivals at a low rate, whose last one is still
 * being graded as its window closes, would read as 92 % and fail a host that is idle. The
 * realised arrivals, not the nominal λ: n Poisson arrivals deviate from λ by ~1/√n.
 */
export function isSustainable(evidence: SustainabilityEvidence & { windows?: number }): boolean {
  const { arrivals, completions, slots, p95LatencyMs, sloP95Ms } = evidence;
  const inService = slots * (evidence.windows ?? 1);
  return completions >= (1 - THROUGHPUT_TOLERANCE) * arrivals - inService && p95LatencyMs !== null && p95LatencyMs <= sloP95Ms;
}

/**
 * The rates of a default sweep from a measured zero-load mean service time: `count` rates
 * evenly spaced from 10 % to 120 % of the capacity slots/E[S], to three significant digits
 * (readable in labels; the rounding moves a rate by ≤ 0.5 %).
 */
export function defaultRatesPerSecond(meanServiceMs: number, slots: number, count: number): number[] {
  if (!(Number.isFinite(meanServiceMs) && meanServiceMs > 0)) throw new RangeError(`the mean service time must be > 0 ms, not ${meanServiceMs}`);
  if (!(Number.isInteger(slots) && slots >= 1)) throw new RangeError(`slots must be a whole number ≥ 1, not ${slots}`);
  if (!(Number.isInteger(count) && count >= 2)) throw new RangeError(`a sweep needs at least 2 rates, not ${count}`);
  const capacityPerSecond = (slots * 1000) / meanServiceMs;
  return Array.from({ length: count }, (_, i) => Number((capacityPerSecond * (0.1 + (1.1 * i) / (count - 1))).toPrecision(3)));
}

/**
 * Summarises load samples per runtime and configuration, per rate:
 * ```
 *  samples ─▶ 1 series (runtime, config) ─▶ 2 steps (rate, repeat) ─▶ 3 per rate: counts, throughput,
 *            quantiles, service, Little, M/G/c, verdict ─▶ 4 max sustainable rate + bootstrap CI
 * ```
 */
export function summariseLoad(samples: readonly LoadSample[], options: SummariseLoadOptions): LoadSeriesSummary[] {
  // 1, 2
  const series = new Map<string, { runtime: string; configLabel: string; rates: Map<number, Map<string, LoadSample[]>> }>();
  for (const sample of samples) {
    const seriesKey = `${sample.runtime}\u0000${sample.configLabel}`;
    let entry = series.get(seriesKey);
    if (!entry) series.set(seriesKey, (entry = { runtime: sample.runtime, configLabel: sample.configLabel, rates: new Map() }));
    let steps = entry.rates.get(sample.ratePerSecond);
    if (!steps) entry.rates.set(sample.ratePerSecond, (steps = new Map()));
    const stepKey = `${sample.rateStepIndex}/${sample.repeat}`;
    let step = steps.get(stepKey);
    if (!step) steps.set(stepKey, (step = []));
    step.push(sample);
  }
  return [...series.values()]
    .sort((a, b) => compareText(a.runtime, b.runtime) || compareText(a.configLabel, b.configLabel))
    .map(({ runtime, configLabel, rates }) => {
      const sweep = [...rates.entries()].sort(([a], [b]) => a - b).map(([rate, steps]) => ({ rate, steps: [...steps.values()].map(toStep).sort(byStepOrder) }));
      // 3
      const summaries = sweep.map(({ rate, steps }) => summariseRate(rate, steps, options.sloP95Ms));
      const sustainable = summaries.filter((summary) => summary.sustainable);
      // 4
      const random = mulberry32(deriveSeed(options.seed, `load-max-rate\u0000${runtime}\u0000${configLabel}`));
      const replicates = bootstrapMaxSustainableRate(sweep, options.sloP95Ms, random, options.resamples ?? BOOTSTRAP_RESAMPLES);
      return {
        runtime,
        configLabel,
        sloP95Ms: options.sloP95Ms,
        rates: summaries,
        maxSustainableRatePerSecond: sustainable.length > 0 ? sustainable.at(-1)!.ratePerSecond : null,
        maxSustainableRateCi: percentileInterval(replicates, options.confidence ?? CONFIDENCE_LEVEL),
      };
    });
}

/** One rate step: its samples and the windows they share. */
interface Step {
  samples: LoadSample[];
  slots: number;
  windowStartMs: number;
  windowEndMs: number;
}

function toStep(samples: LoadSample[]): Step {
  const [first] = samples as [LoadSample];
  for (const sample of samples) {
    if (sample.slots !== first.slots || sample.warmupMs !== first.warmupMs || sample.measuredMs !== first.measuredMs) {
      throw new RangeError(`the samples of ${first.runtime} at ${first.ratePerSecond}/s, repeat ${first.repeat} disagree on slots or windows`);
    }
  }
  if (!(first.measuredMs > 0)) throw new RangeError(`the step of ${first.runtime} at ${first.ratePerSecond}/s has no measured window`);
  // In arrival order, so every sum and the bootstrap's draws depend on the samples, not on their file order.
  const ordered = [...samples].sort((a, b) => a.intendedAtMs - b.intendedAtMs || (a.doneAtMs ?? Infinity) - (b.doneAtMs ?? Infinity));
  return { samples: ordered, slots: first.slots, windowStartMs: first.warmupMs, windowEndMs: first.warmupMs + first.measuredMs };
}

function byStepOrder(a: Step, b: Step): number {
  return a.samples[0]!.rateStepIndex - b.samples[0]!.rateStepIndex || a.samples[0]!.repeat - b.samples[0]!.repeat;
}

function isGradedInWindow(sample: LoadSample, step: Step): boolean {
  return sample.ok && sample.doneAtMs !== null && sample.doneAtMs >= step.windowStartMs && sample.doneAtMs < step.windowEndMs;
}

/** Latency, or Infinity for a submission without a grade. */
function latencyOrInfinity(sample: LoadSample): number {
  return sample.ok && sample.doneAtMs !== null ? sample.doneAtMs - sample.intendedAtMs : Number.POSITIVE_INFINITY;
}

function summariseRate(ratePerSecond: number, steps: Step[], sloP95Ms: number): LoadRateSummary {
  const slots = steps[0]!.slots;
  if (steps.some((step) => step.slots !== slots)) throw new RangeError(`the repeats at ${ratePerSecond}/s disagree on slots`);
  const measured = steps.flatMap((step) => step.samples.filter((sample) => !sample.warmup));
  const windowMs = steps.reduce((sum, step) => sum + step.windowEndMs - step.windowStartMs, 0);
  const graded = measured.filter((sample) => sample.ok && sample.doneAtMs !== null);
  const completions = steps.reduce((sum, step) => sum + step.samples.filter((sample) => isGradedInWindow(sample, step)).length, 0);
  const dispatched = measured.filter((sample) => sample.dispatchedAtMs !== null);
  const servicesMs = graded.map((sample) => sample.doneAtMs! - sample.dispatchedAtMs!);
  servicesMs.sort((a, b) => a - b);
  const meanServiceMs = servicesMs.length > 0 ? meanOf(servicesMs) : null;
  const serviceCv = meanServiceMs !== null && servicesMs.length > 1 && meanServiceMs > 0 ? standardDeviationOf(servicesMs, meanServiceMs) / meanServiceMs : null;
  const utilisation = meanServiceMs !== null ? offeredLoadErlangs(ratePerSecond, meanServiceMs) / slots : null;
  const predicted =
    meanServiceMs !== null && serviceCv !== null
      ? allenCunneenMeanWaitMs({ servers: slots, arrivalRatePerSecond: ratePerSecond, meanServiceMs, serviceCv })
      : Number.POSITIVE_INFINITY;
  const arrivalRatePerSecond = (measured.length * 1000) / windowMs;
  const throughputPerSecond = (completions * 1000) / windowMs;
  const latency = quantilesOf(measured.map(latencyOrInfinity));
  const { meanInSystem, lambdaTimesW, relativeError } = checkLittlesLaw(steps.map(observedWindow));
  return {
    ratePerSecond,
    repeats: steps.length,
    slots,
    n: measured.length,
    ok: graded.length,
    errored: measured.filter((sample) => !sample.ok && sample.doneAtMs !== null).length,
    unfinished: measured.filter((sample) => sample.doneAtMs === null).length,
    arrivalRatePerSecond,
    throughputPerSecond,
    latency,
    waiting: quantilesOf(measured.map((sample) => (sample.dispatchedAtMs !== null ? sample.dispatchedAtMs - sample.intendedAtMs : Number.POSITIVE_INFINITY))),
    meanWaitingMs: dispatched.length > 0 ? meanOf(dispatched.map((sample) => sample.dispatchedAtMs! - sample.intendedAtMs)) : null,
    meanServiceMs,
    serviceCv,
    utilisation,
    predictedMeanWaitingMs: Number.isFinite(predicted) ? predicted : null,
    littlesLaw: { meanInSystem, lambdaTimesW, relativeError },
    sustainable: isSustainable({ arrivals: measured.length, completions, slots, windows: steps.length, p95LatencyMs: latency.p95Ms, sloP95Ms }),
  };
}

/**
 * A step as Little's law sees it: every submission (warm-up ones occupy the system too) from
 * its intended time to its end. One not done by the drain bound is cut at the window's end,
 * on both sides of the law alike, so the check measures the clocks, not the censoring.
 */
function observedWindow(step: Step): ObservedWindow {
  return {
    windowStartMs: step.windowStartMs,
    windowEndMs: step.windowEndMs,
    intervals: step.samples.map((sample) => ({
      arrivalMs: sample.intendedAtMs,
      endMs: sample.doneAtMs ?? Math.max(sample.intendedAtMs, step.windowEndMs),
    })),
  };
}

/** Type-7 quantiles where Infinity stands for "none"; a quantile that touches one is null. */
function quantilesOf(values: number[]): LoadQuantiles {
  if (values.length === 0) return { p50Ms: null, p95Ms: null, p99Ms: null };
  const sorted = values.sort((a, b) => a - b);
  const at = (p: number) => {
    const value = quantileType7(sorted, p);
    return Number.isFinite(value) ? value : null;
  };
  return { p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) };
}

/**
 * The bootstrap distribution of the max sustainable rate: per replicate, every step's
 * submissions are drawn with replacement (as many as it had; warm-up ones too, since their
 * completions fall in the window), each rate's verdict is taken again from the resampled
 * throughput, arrivals and p95 latency, and the largest sustainable rate (0 for none) is kept.
 */
function bootstrapMaxSustainableRate(sweep: { rate: number; steps: Step[] }[], sloP95Ms: number, random: RandomSource, resamples: number): Float64Array {
  // Per step, once: what each submission contributes to a verdict.
  const prepared = sweep.map(({ rate, steps }) => ({
    rate,
    slots: steps[0]!.slots,
    windows: steps.length,
    steps: steps.map((step) => ({
      measured: Uint8Array.from(step.samples, (sample) => (sample.warmup ? 0 : 1)),
      graded: Uint8Array.from(step.samples, (sample) => (isGradedInWindow(sample, step) ? 1 : 0)),
      latenciesMs: Float64Array.from(step.samples, latencyOrInfinity),
    })),
  }));
  const replicates = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let best = 0;
    for (const { rate, slots, windows, steps } of prepared) {
      let arrivals = 0;
      let completions = 0;
      const latenciesMs: number[] = [];
      for (const { measured, graded, latenciesMs: stepLatenciesMs } of steps) {
        const n = measured.length;
        for (let i = 0; i < n; i++) {
          const draw = Math.floor(random() * n);
          completions += graded[draw]!;
          if (measured[draw]) {
            arrivals += 1;
            latenciesMs.push(stepLatenciesMs[draw]!);
          }
        }
      }
      // NaN (a quantile between two Infinities) fails the SLO like Infinity does.
      const p95LatencyMs = latenciesMs.length > 0 ? quantileBySelection(Float64Array.from(latenciesMs), 0.95) : Number.NaN;
      if (isSustainable({ arrivals, completions, slots, windows, p95LatencyMs: Number.isNaN(p95LatencyMs) ? null : p95LatencyMs, sloP95Ms })) best = rate;
    }
    replicates[r] = best;
  }
  return replicates;
}

function meanOf(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function standardDeviationOf(values: readonly number[], mean: number): number {
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
