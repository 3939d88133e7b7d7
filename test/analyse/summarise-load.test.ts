import { strict as assert } from 'node:assert';
import { defaultRatesPerSecond, isSustainable, summariseLoad, type LoadSample, type LoadSeriesSummary } from '../../pipeline/analyse/summarise-load.ts';
import { runOpenLoop } from '../../pipeline/run/load/open-loop.ts';
import { poissonArrivalTimesMs } from '../../pipeline/statistics/poisson-arrivals.ts';
import { VirtualClock } from '../run/load/virtual-clock.ts';

type Times = Pick<LoadSample, 'intendedAtMs' | 'dispatchedAtMs' | 'doneAtMs' | 'ok' | 'warmup'>;

const STEP = { runtime: 'runc', configLabel: '', ratePerSecond: 1, rateStepIndex: 0, repeat: 0, slots: 1, warmupMs: 1000, measuredMs: 4000 };

function sample(times: Times, step: Partial<LoadSample> = {}): LoadSample {
  return { ...STEP, ...step, ...times };
}

/** A step of evenly spaced arrivals, each served at once in `serviceMs` (a host that keeps up, or is slow). */
function evenStep(step: Partial<LoadSample> & { ratePerSecond: number }, serviceMs: number): LoadSample[] {
  const full = { ...STEP, measuredMs: 60_000, warmupMs: 10_000, slots: 8, ...step };
  const gapMs = 1000 / full.ratePerSecond;
  const samples: LoadSample[] = [];
  for (let atMs = gapMs / 2; atMs < full.warmupMs + full.measuredMs; atMs += gapMs) {
    samples.push({ ...full, intendedAtMs: atMs, dispatchedAtMs: atMs, doneAtMs: atMs + serviceMs, ok: true, warmup: atMs < full.warmupMs });
  }
  return samples;
}

/** A rate sweep through the open loop on a virtual clock: two slots, a deterministic 1 s service. */
async function fakeSweep(): Promise<LoadSample[]> {
  const samples: LoadSample[] = [];
  const warmupMs = 20_000;
  const measuredMs = 100_000;
  for (const [rateStepIndex, ratePerSecond] of defaultRatesPerSecond(1000, 2, 6).entries()) {
    for (const repeat of [0, 1]) {
      const clock = new VirtualClock();
      const step = await runOpenLoop({
        intendedMs: poissonArrivalTimesMs({ ratePerSecond, durationMs: warmupMs + measuredMs, seed: 10 * rateStepIndex + repeat }),
        slots: 2,
        serve: () => clock.sleep(1000),
        clock: clock.now,
        sleepUntil: clock.sleepUntil,
        warmupMs,
        measuredMs,
        maxDrainMs: 30_000,
      });
      for (const record of step.records) {
        const { intendedAtMs, dispatchedAtMs, doneAtMs, warmup } = record;
        samples.push({ runtime: 'fake', configLabel: '', ratePerSecond, rateStepIndex, repeat, slots: 2, warmupMs, measuredMs, intendedAtMs, dispatchedAtMs, doneAtMs, ok: record.state === 'ok', warmup });
      }
    }
  }
  return samples;
}

describe('summariseLoad()', () => {
  // Window [1000, 5000): one warm-up arrival, four measured ones, one of them failing.
  const handMade = [
    sample({ intendedAtMs: 500, dispatchedAtMs: 500, doneAtMs: 1500, ok: true, warmup: true }),
    sample({ intendedAtMs: 1000, dispatchedAtMs: 1500, doneAtMs: 2500, ok: true, warmup: false }),
    sample({ intendedAtMs: 2000, dispatchedAtMs: 2500, doneAtMs: 3500, ok: true, warmup: false }),
    sample({ intendedAtMs: 3000, dispatchedAtMs: 3500, doneAtMs: 3600, ok: false, warmup: false }),
    sample({ intendedAtMs: 4000, dispatchedAtMs: 4000, doneAtMs: 6000, ok: true, warmup: false }),
  ];

  it('counts the measured arrivals and what became of them, leaving the warm-up out', () => {
    const [rate] = summariseLoad(handMade, { sloP95Ms: 10_000, seed: 1 })[0]!.rates;
    assert.deepEqual([rate!.n, rate!.ok, rate!.errored, rate!.unfinished], [4, 3, 1, 0]);
  });

  it('measures throughput as graded completions inside the window, whoever arrived when', () => {
    const [rate] = summariseLoad(handMade, { sloP95Ms: 10_000, seed: 1 })[0]!.rates;
    // Done in [1000, 5000) and graded: the warm-up one at 1500, and those at 2500 and 3500.
    assert.equal(rate!.throughputPerSecond, 0.75);
    assert.equal(rate!.arrivalRatePerSecond, 1);
  });

  it('gives type-7 quantiles of latency and waiting, null where they reach a submission without a grade', () => {
    const [rate] = summariseLoad(handMade, { sloP95Ms: 10_000, seed: 1 })[0]!.rates;
    // Latencies 1500, 1500, 2000 and one failure (no latency): p50 = 1500 + 0.5·500.
    assert.deepEqual(rate!.latency, { p50Ms: 1750, p95Ms: null, p99Ms: null });
    assert.deepEqual(rate!.waiting, { p50Ms: 500, p95Ms: 500, p99Ms: 500 });
    assert.equal(rate!.meanWaitingMs, 375);
  });

  it('gives the mean and CV of the graded service times, and no M/G/c prediction at ρ ≥ 1', () => {
    const [rate] = summariseLoad(handMade, { sloP95Ms: 10_000, seed: 1 })[0]!.rates;
    // 1000, 1000, 2000 ms: mean 4000/3, sample SD √(1/3)·1000.
    assert.ok(Math.abs(rate!.meanServiceMs! - 4000 / 3) < 1e-9);
    assert.ok(Math.abs(rate!.serviceCv! - Math.sqrt(1 / 3) / (4 / 3)) < 1e-12);
    assert.ok(Math.abs(rate!.utilisation! - 4 / 3) < 1e-12);
    assert.equal(rate!.predictedMeanWaitingMs, null);
  });

  it('checks Little\'s law over the window, warm-up arrivals in the system included', () => {
    const [rate] = summariseLoad(handMade, { sloP95Ms: 10_000, seed: 1 })[0]!.rates;
    // In-window area 500 + 1500 + 1500 + 600 + 1000 = 5100 ms over 4000 ms; λW = 5600/4000.
    assert.ok(Math.abs(rate!.littlesLaw.meanInSystem - 1.275) < 1e-12);
    assert.ok(Math.abs(rate!.littlesLaw.lambdaTimesW - 1.4) < 1e-12);
    assert.ok(Math.abs(rate!.littlesLaw.relativeError - 0.125 / 1.275) < 1e-12);
  });

  it('counts a submission not done by the drain bound as unfinished, and cuts it at the window for Little', () => {
    const samples = [
      sample({ intendedAtMs: 1000, dispatchedAtMs: 1000, doneAtMs: 2000, ok: true, warmup: false }),
      sample({ intendedAtMs: 2000, dispatchedAtMs: 2000, doneAtMs: null, ok: false, warmup: false }),
      sample({ intendedAtMs: 3000, dispatchedAtMs: null, doneAtMs: null, ok: false, warmup: false }),
    ];
    const [rate] = summariseLoad(samples, { sloP95Ms: 10_000, seed: 1 })[0]!.rates;
    assert.equal(rate!.unfinished, 2);
    assert.deepEqual(rate!.waiting, { p50Ms: 0, p95Ms: null, p99Ms: null });
    assert.equal(rate!.littlesLaw.relativeError, 0);
    assert.equal(rate!.sustainable, false);
  });

  it('pools the repeats of a rate', () => {
    const one = evenStep({ ratePerSecond: 2, repeat: 0 }, 100);
    const two = evenStep({ ratePerSecond: 2, repeat: 1 }, 300);
    const [rate] = summariseLoad([...one, ...two], { sloP95Ms: 10_000, seed: 1 })[0]!.rates;
    assert.equal(rate!.repeats, 2);
    assert.equal(rate!.n, 240);
    assert.equal(rate!.meanServiceMs, 200);
    assert.equal(rate!.arrivalRatePerSecond, 2);
  });

  it('finds the max sustainable rate: the largest whose throughput keeps up and whose p95 meets the SLO', () => {
    const samples = [
      ...evenStep({ ratePerSecond: 1, rateStepIndex: 0 }, 500),
      ...evenStep({ ratePerSecond: 2, rateStepIndex: 1 }, 900),
      ...evenStep({ ratePerSecond: 4, rateStepIndex: 2 }, 1500),
    ];
    const [series] = summariseLoad(samples, { sloP95Ms: 1000, seed: 1 });
    assert.deepEqual(series!.rates.map((rate) => rate.sustainable), [true, true, false]);
    assert.equal(series!.maxSustainableRatePerSecond, 2);
    const [low, high] = series!.maxSustainableRateCi;
    assert.ok(low <= 2 && high >= 2, `[${low}, ${high}]`);
  });

  it('takes the largest sustainable rate even above one that failed, as the definition says', () => {
    const samples = [
      ...evenStep({ ratePerSecond: 1, rateStepIndex: 0 }, 500),
      ...evenStep({ ratePerSecond: 2, rateStepIndex: 1 }, 5000),
      ...evenStep({ ratePerSecond: 3, rateStepIndex: 2 }, 500),
    ];
    assert.equal(summariseLoad(samples, { sloP95Ms: 1000, seed: 1 })[0]!.maxSustainableRatePerSecond, 3);
  });

  it('gives null and a [0, 0] interval when no rate is sustainable', () => {
    const [series] = summariseLoad(evenStep({ ratePerSecond: 1 }, 5000), { sloP95Ms: 1000, seed: 1 });
    assert.equal(series!.maxSustainableRatePerSecond, null);
    assert.deepEqual(series!.maxSustainableRateCi, [0, 0]);
  });

  it('keeps one series per runtime and configuration, in name order', () => {
    const samples = [
      ...evenStep({ ratePerSecond: 1, runtime: 'runsc' }, 100),
      ...evenStep({ ratePerSecond: 1, runtime: 'crun', configLabel: 'overlay' }, 100),
      ...evenStep({ ratePerSecond: 1, runtime: 'crun', configLabel: 'btrfs' }, 100),
    ];
    assert.deepEqual(summariseLoad(samples, { sloP95Ms: 1000, seed: 1 }).map((s) => `${s.runtime}/${s.configLabel}`), ['crun/btrfs', 'crun/overlay', 'runsc/']);
  });

  it('rejects the samples of one step that disagree on slots', () => {
    assert.throws(() => summariseLoad([handMade[0]!, { ...handMade[1]!, slots: 2 }], { sloP95Ms: 1000, seed: 1 }), /disagree/);
  });

  describe('on a fake host (2 slots, 1 s deterministic service, Poisson arrivals)', () => {
    let samples: LoadSample[];
    let series: LoadSeriesSummary;
    before(async () => {
      samples = await fakeSweep();
      series = summariseLoad(samples, { sloP95Ms: 3000, seed: 1 })[0]!;
    });

    it('keeps up at low load and not beyond capacity', () => {
      const byRate = new Map(series.rates.map((rate) => [rate.ratePerSecond, rate]));
      assert.deepEqual([...byRate.keys()], [0.2, 0.64, 1.08, 1.52, 1.96, 2.4]);
      assert.equal(byRate.get(0.2)!.sustainable, true);
      assert.equal(byRate.get(2.4)!.sustainable, false);
      assert.ok(byRate.get(2.4)!.throughputPerSecond <= 2 + 1e-9, 'two 1 s slots cannot grade more than 2 a second');
      assert.equal(byRate.get(2.4)!.predictedMeanWaitingMs, null);
    });

    it('holds Little\'s law within 10 % at every rate below capacity', () => {
      for (const rate of series.rates.filter((r) => r.utilisation! < 1)) {
        assert.ok(rate.littlesLaw.relativeError < 0.1, `${rate.ratePerSecond}/s: ${rate.littlesLaw.relativeError}`);
      }
    });

    it('measures the service time as given and predicts waiting from it', () => {
      for (const rate of series.rates) {
        assert.ok(Math.abs(rate.meanServiceMs! - 1000) < 1e-9);
        assert.ok(rate.serviceCv! < 1e-9);
      }
      const stable = series.rates.filter((r) => r.utilisation! < 0.9);
      assert.ok(stable.every((rate) => rate.predictedMeanWaitingMs !== null && rate.meanWaitingMs !== null));
    });

    it('gives a max sustainable rate inside its bootstrap interval, the same for the same seed', () => {
      const max = series.maxSustainableRatePerSecond!;
      const [low, high] = series.maxSustainableRateCi;
      assert.ok(low <= max && max <= high, `${max} outside [${low}, ${high}]`);
      assert.ok(max > 0.64 && max < 1.96, `${max}`);
      assert.deepEqual(summariseLoad(samples, { sloP95Ms: 3000, seed: 1 }), [series]);
    });

    it('does not depend on the order of the samples', () => {
      const forwards = summariseLoad(samples, { sloP95Ms: 3000, seed: 5, resamples: 200 });
      const backwards = summariseLoad([...samples].reverse(), { sloP95Ms: 3000, seed: 5, resamples: 200 });
      assert.deepEqual(backwards, forwards);
    });
  });
});

describe('isSustainable()', () => {
  const at = (arrivals: number, completions: number, p95LatencyMs: number | null = 900) => isSustainable({ arrivals, completions, slots: 2, p95LatencyMs, sloP95Ms: 1000 });

  it('needs the completions within 5 % of the arrivals, plus the slots still in service, and the p95 within the SLO', () => {
    assert.equal(at(100, 94), true);
    assert.equal(at(100, 93), true);
    assert.equal(at(100, 92), false);
    assert.equal(at(100, 120), true);
    assert.equal(at(100, 100, 1001), false);
    assert.equal(at(100, 100, null), false);
  });

  it('does not fail a quiet host whose last submissions are still being graded as the window closes', () => {
    assert.equal(at(11, 9), true);
    assert.equal(at(11, 8), false);
  });

  it('allows the slots of every repeat', () => {
    assert.equal(isSustainable({ arrivals: 20, completions: 15, slots: 2, windows: 2, p95LatencyMs: 900, sloP95Ms: 1000 }), true);
  });
});

describe('defaultRatesPerSecond()', () => {
  it('spans 10 % to 120 % of slots/E[S]', () => {
    // 2 slots of 1 s: capacity 2/s, rates 0.2…2.4 in steps of 0.2.
    assert.deepEqual(defaultRatesPerSecond(1000, 2, 12), [0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.4]);
  });

  it('rounds to three significant digits', () => {
    // Capacity 1/0.7 s = 1.428…/s.
    assert.deepEqual(defaultRatesPerSecond(700, 1, 2), [0.143, 1.71]);
  });

  it('rejects fewer than two rates, zero slots and a non-positive service time', () => {
    assert.throws(() => defaultRatesPerSecond(1000, 2, 1), RangeError);
    assert.throws(() => defaultRatesPerSecond(1000, 0, 5), RangeError);
    assert.throws(() => defaultRatesPerSecond(0, 2, 5), RangeError);
  });
});
