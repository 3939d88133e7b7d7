/**
 * The queueing model of a grading host: c slots (servers), one FIFO queue, Poisson arrivals.
 * An INGInious agent with `concurrency` slots is an M/G/c queue; these are the formulas the
 * measured waiting is held against, and Little's law, the check that the measurement itself
 * adds up. Times are in ms, rates per second, as everywhere in crbench.
 */

/** What a queue is: its servers, its arrival rate and its mean service time. */
export interface QueueParameters {
  /** c, the number of servers (INGInious's slots). */
  servers: number;
  /** λ, arrivals per second. */
  arrivalRatePerSecond: number;
  /** E[S], the mean service time in ms. */
  meanServiceMs: number;
}

/** The offered load a = λ·E[S] in erlangs (busy servers on average); ρ = a/c. */
export function offeredLoadErlangs(arrivalRatePerSecond: number, meanServiceMs: number): number {
  return (arrivalRatePerSecond * meanServiceMs) / 1000;
}

function checkServers(servers: number, offeredLoad: number): void {
  if (!(Number.isInteger(servers) && servers >= 1)) throw new RangeError(`a queue needs a whole number of servers ≥ 1, not ${servers}`);
  if (!(Number.isFinite(offeredLoad) && offeredLoad >= 0)) throw new RangeError(`the offered load must be finite and ≥ 0, not ${offeredLoad}`);
}

/**
 * Erlang B, the blocking probability of c servers and no queue, by the recurrence
 * B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)): every term lies in [0, 1], so unlike aᶜ/c! it
 * neither overflows nor loses precision at large c (Jagerman, Bell Syst. Tech. J. 53 (1974)).
 */
export function erlangB(servers: number, offeredLoad: number): number {
  checkServers(servers, offeredLoad);
  let blocking = 1;
  for (let k = 1; k <= servers; k++) blocking = (offeredLoad * blocking) / (k + offeredLoad * blocking);
  return blocking;
}

/**
 * Erlang C, the probability P_W that an arrival waits in an M/M/c queue, from Erlang B:
 * C = c·B / (c − a·(1 − B)). At a ≥ c the queue is unstable and every arrival eventually waits: 1.
 */
export function erlangC(servers: number, offeredLoad: number): number {
  checkServers(servers, offeredLoad);
  if (offeredLoad >= servers) return 1;
  const blocking = erlangB(servers, offeredLoad);
  return (servers * blocking) / (servers - offeredLoad * (1 - blocking));
}

/** Wq of M/M/c: P_W·E[S]/(c − a), in ms. Infinity at a ≥ c (no steady state). */
export function mmcMeanWaitMs(queue: QueueParameters): number {
  const { servers, arrivalRatePerSecond, meanServiceMs } = queue;
  const load = offeredLoadErlangs(arrivalRatePerSecond, meanServiceMs);
  if (load >= servers) return Number.POSITIVE_INFINITY;
  return (erlangC(servers, load) * meanServiceMs) / (servers - load);
}

/** A G/G/c queue as the Allen–Cunneen approximation sees it: its two coefficients of variation. */
export interface GeneralQueueParameters extends QueueParameters {
  /** Cs = σ(S)/E[S], 1 for exponential service, 0 for deterministic. */
  serviceCv: number;
  /** Ca of the inter-arrival times; 1 (the default) for Poisson arrivals. */
  arrivalCv?: number;
}

/**
 * The Allen–Cunneen approximation of Wq for G/G/c, in ms:
 * Wq ≈ Wq(M/M/c)·(Ca² + Cs²)/2 (A. O. Allen, "Probability, Statistics, and Queueing Theory
 * with Computer Science Applications", 2nd ed., Academic Press 1990). For c = 1 and Ca = 1 it
 * is the exact Pollaczek–Khinchine mean of M/G/1; for c > 1 it is an approximation, best at
 * heavy load, where the queue matters.
 */
export function allenCunneenMeanWaitMs(queue: GeneralQueueParameters): number {
  const arrivalCv = queue.arrivalCv ?? 1;
  return (mmcMeanWaitMs(queue) * (arrivalCv ** 2 + queue.serviceCv ** 2)) / 2;
}

/**
 * Wq of M/D/c (deterministic service) as Allen–Cunneen gives it: Cs = 0, half of M/M/c.
 * Exact for c = 1 (ρ·S/(2(1 − ρ))); for c > 1 an approximation that falls short of the exact
 * M/D/c value (Crommelin 1932, no closed form), most at light load, the gap Cosmetatos's
 * correction (INFOR 13 (1975) 328–331) closes.
 */
export function mdcMeanWaitMs(queue: QueueParameters): number {
  return allenCunneenMeanWaitMs({ ...queue, serviceCv: 0 });
}

/** Wq of M/G/1 by Pollaczek–Khinchine, exact: ρ·E[S]·(1 + Cs²) / (2(1 − ρ)), in ms. */
export function pollaczekKhinchineMeanWaitMs(queue: Omit<GeneralQueueParameters, 'servers' | 'arrivalCv'>): number {
  const rho = offeredLoadErlangs(queue.arrivalRatePerSecond, queue.meanServiceMs);
  if (rho >= 1) return Number.POSITIVE_INFINITY;
  return (rho * queue.meanServiceMs * (1 + queue.serviceCv ** 2)) / (2 * (1 - rho));
}

/** One submission's time in the system: from its (intended) arrival to its end, in ms. */
export interface SystemInterval {
  arrivalMs: number;
  endMs: number;
}

/** One observation window of a system (a rate step's measured window) and who was in it. */
export interface ObservedWindow {
  intervals: readonly SystemInterval[];
  windowStartMs: number;
  windowEndMs: number;
}

/** Both sides of Little's law L = λ·W over one or more windows, and how far apart they are. */
export interface LittlesLawCheck {
  /** L: the time-average number in the system over the windows. */
  meanInSystem: number;
  /** λ: arrivals inside the windows per second of window. */
  arrivalRatePerSecond: number;
  /** W: the mean time in the system of those arrivals, ms. */
  meanTimeInSystemMs: number;
  /** λ·W, dimensionless like L. */
  lambdaTimesW: number;
  /** |λ·W − L| / L; 0 when both are 0, Infinity when only L is. */
  relativeError: number;
}

/**
 * Little's law on measured intervals. L integrates the number in the system over each window
 * (every interval's overlap with it, whenever it arrived); λ and W are taken from the
 * arrivals inside the window. The two differ only by edge effects (who was in the system
 * when the window opened or closed), which vanish relative to L as windows grow, so a large
 * relative error says the intervals were recorded on inconsistent clocks, or the system was
 * not in steady state (a queue that grows through the window).
 */
export function checkLittlesLaw(windows: readonly ObservedWindow[]): LittlesLawCheck {
  let areaMs = 0;
  let windowMs = 0;
  let arrivals = 0;
  let timeInSystemMs = 0;
  for (const { intervals, windowStartMs, windowEndMs } of windows) {
    if (!(windowEndMs > windowStartMs)) throw new RangeError(`a window must end after it starts (${windowStartMs}…${windowEndMs} ms)`);
    windowMs += windowEndMs - windowStartMs;
    for (const { arrivalMs, endMs } of intervals) {
      areaMs += Math.max(0, Math.min(endMs, windowEndMs) - Math.max(arrivalMs, windowStartMs));
      if (arrivalMs >= windowStartMs && arrivalMs < windowEndMs) {
        arrivals += 1;
        timeInSystemMs += endMs - arrivalMs;
      }
    }
  }
  if (windowMs === 0) throw new RangeError('checkLittlesLaw needs at least one window');
  const meanInSystem = areaMs / windowMs;
  const lambdaTimesW = timeInSystemMs / windowMs;
  const relativeError =
    meanInSystem > 0 ? Math.abs(lambdaTimesW - meanInSystem) / meanInSystem : lambdaTimesW === 0 ? 0 : Number.POSITIVE_INFINITY;
  return {
    meanInSystem,
    arrivalRatePerSecond: (arrivals * 1000) / windowMs,
    meanTimeInSystemMs: arrivals > 0 ? timeInSystemMs / arrivals : 0,
    lambdaTimesW,
    relativeError,
  };
}
