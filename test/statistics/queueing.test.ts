import { strict as assert } from 'node:assert';
import {
  allenCunneenMeanWaitMs,
  checkLittlesLaw,
  erlangB,
  erlangC,
  mdcMeanWaitMs,
  mmcMeanWaitMs,
  offeredLoadErlangs,
  pollaczekKhinchineMeanWaitMs,
  type SystemInterval,
} from '../../pipeline/statistics/queueing.ts';
import { mulberry32 } from '../../pipeline/statistics/seeded-random.ts';
import { exponentialInterArrivalMs } from '../../pipeline/statistics/poisson-arrivals.ts';

const HOUR_MS = 3_600_000;

function assertClose(actual: number, expected: number, tolerance: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} ≠ ${expected} ± ${tolerance}`);
}

describe('offeredLoadErlangs()', () => {
  it('is λ·E[S] with λ per second and E[S] in ms', () => {
    assert.equal(offeredLoadErlangs(2, 1500), 3);
  });
});

describe('erlangB()', () => {
  // The standard Erlang B table at 1 % blocking (grade of service 0.01), as printed to two
  // decimals in every teletraffic table: 5 lines carry 1.36 E, 10 carry 4.46 E, 20 carry
  // 12.03 E, 100 carry 84.06 E. At that rounding B is 0.0100 ± 0.0001.
  for (const [lines, erlangs] of [[5, 1.36], [10, 4.46], [20, 12.03], [100, 84.06]] as const) {
    it(`gives 1 % blocking for ${lines} lines at ${erlangs} erlangs, as the tables do`, () => {
      assertClose(erlangB(lines, erlangs), 0.01, 1e-4);
    });
  }

  it('gives a/(1 + a) for one line', () => {
    assertClose(erlangB(1, 3), 0.75, 1e-15);
  });

  it('stays finite at 2000 servers, where aᶜ/c! overflows a double', () => {
    const blocking = erlangB(2000, 1900);
    assert.ok(Number.isFinite(blocking) && blocking > 0 && blocking < 1, `${blocking}`);
  });
});

describe('erlangC()', () => {
  it('is ρ for one server (M/M/1)', () => {
    for (const rho of [0.1, 0.5, 0.9]) assertClose(erlangC(1, rho), rho, 1e-15);
  });

  it('is 1/3 for c = 2, a = 1', () => {
    // Closed form: C(2, a) = a²/(2 + a), so C(2, 1) = 1/3.
    assertClose(erlangC(2, 1), 1 / 3, 1e-15);
  });

  it('is 4/9 for c = 3, a = 2 (by hand: B = 4/19; the basic example of Mathematica\'s ErlangC)', () => {
    assertClose(erlangC(3, 2), 4 / 9, 1e-15);
  });

  it('is about 0.10 for 10 servers at 6 erlangs, as read off the Erlang C curve', () => {
    // The textbook exercise: 120 customers an hour, 3 minutes each, 10 assistants.
    assertClose(erlangC(10, 6), 0.1013, 5e-5);
  });

  it('is 1 when the load reaches the servers', () => {
    assert.equal(erlangC(2, 2), 1);
    assert.equal(erlangC(2, 3), 1);
  });

  it('rejects a fractional number of servers or a negative load', () => {
    assert.throws(() => erlangC(1.5, 1), RangeError);
    assert.throws(() => erlangC(0, 0.5), RangeError);
    assert.throws(() => erlangC(2, -1), RangeError);
  });
});

describe('mmcMeanWaitMs()', () => {
  // Hillier & Lieberman, "Introduction to Operations Research" (McGraw-Hill), the County
  // Hospital emergency room of the queueing-theory chapter: λ = 2 patients an hour, μ = 3 an
  // hour (20 minutes each). One doctor: Wq = 2/3 h. Two doctors: P0 = 1/2, Lq = 1/12, Wq = 1/24 h.
  const emergencyRoom = { arrivalRatePerSecond: 2 / 3600, meanServiceMs: HOUR_MS / 3 };

  it('gives Wq = 2/3 h for the County Hospital with one doctor', () => {
    assertClose(mmcMeanWaitMs({ ...emergencyRoom, servers: 1 }), (2 / 3) * HOUR_MS, 1e-6);
  });

  it('gives Wq = 1/24 h for the County Hospital with two doctors', () => {
    assertClose(mmcMeanWaitMs({ ...emergencyRoom, servers: 2 }), HOUR_MS / 24, 1e-6);
  });

  it('is infinite at or beyond saturation', () => {
    assert.equal(mmcMeanWaitMs({ servers: 2, arrivalRatePerSecond: 2, meanServiceMs: 1000 }), Number.POSITIVE_INFINITY);
  });
});

describe('allenCunneenMeanWaitMs()', () => {
  const queue = { servers: 3, arrivalRatePerSecond: 2.4, meanServiceMs: 1000 };

  it('is the M/M/c value for exponential service (Cs = 1)', () => {
    assertClose(allenCunneenMeanWaitMs({ ...queue, serviceCv: 1 }), mmcMeanWaitMs(queue), 1e-9);
  });

  it('scales M/M/c by (Ca² + Cs²)/2', () => {
    assertClose(allenCunneenMeanWaitMs({ ...queue, serviceCv: 0.5, arrivalCv: 2 }), (mmcMeanWaitMs(queue) * (4 + 0.25)) / 2, 1e-9);
  });

  it('is the exact Pollaczek–Khinchine mean for one server', () => {
    for (const serviceCv of [0, 0.3, 1, 2]) {
      const single = { servers: 1, arrivalRatePerSecond: 0.7, meanServiceMs: 1000, serviceCv };
      assertClose(allenCunneenMeanWaitMs(single), pollaczekKhinchineMeanWaitMs(single), 1e-9);
    }
  });
});

describe('mdcMeanWaitMs()', () => {
  it('is ρ·S/(2(1 − ρ)) for one server (M/D/1)', () => {
    // ρ = 0.8, S = 500 ms: 0.8·500/(2·0.2) = 1000 ms.
    assertClose(mdcMeanWaitMs({ servers: 1, arrivalRatePerSecond: 1.6, meanServiceMs: 500 }), 1000, 1e-9);
  });

  it('is half of M/M/c', () => {
    const queue = { servers: 4, arrivalRatePerSecond: 3, meanServiceMs: 1000 };
    assertClose(mdcMeanWaitMs(queue), mmcMeanWaitMs(queue) / 2, 1e-9);
  });
});

/** An M/M/1 queue by Lindley's recursion Wq(n+1) = max(0, Wq(n) + S(n) − A(n+1)), FIFO, one server. */
function simulateMm1(seed: number, count: number, ratePerSecond: number, meanServiceMs: number): SystemInterval[] {
  const random = mulberry32(seed);
  const intervals: SystemInterval[] = [];
  let arrivalMs = 0;
  let freeAtMs = 0;
  for (let i = 0; i < count; i++) {
    arrivalMs += exponentialInterArrivalMs(random, ratePerSecond);
    const startMs = Math.max(arrivalMs, freeAtMs);
    freeAtMs = startMs + exponentialInterArrivalMs(random, 1000 / meanServiceMs);
    intervals.push({ arrivalMs, endMs: freeAtMs });
  }
  return intervals;
}

describe('checkLittlesLaw()', () => {
  it('holds exactly for a regular stream: one every 100 ms, 250 ms each, L = 2.5', () => {
    const intervals = Array.from({ length: 1000 }, (_, i) => ({ arrivalMs: i * 100, endMs: i * 100 + 250 }));
    const check = checkLittlesLaw([{ intervals, windowStartMs: 10_000, windowEndMs: 90_000 }]);
    assertClose(check.meanInSystem, 2.5, 1e-9);
    assertClose(check.arrivalRatePerSecond, 10, 1e-9);
    assertClose(check.meanTimeInSystemMs, 250, 1e-9);
    assertClose(check.relativeError, 0, 1e-9);
  });

  it('holds within 2 % on a simulated M/M/1 queue at ρ = 0.6, and L matches ρ/(1 − ρ)', () => {
    const intervals = simulateMm1(7, 50_000, 0.6, 1000);
    const lastArrivalMs = intervals.at(-1)!.arrivalMs;
    const check = checkLittlesLaw([{ intervals, windowStartMs: 0.1 * lastArrivalMs, windowEndMs: 0.9 * lastArrivalMs }]);
    assert.ok(check.relativeError < 0.02, `relative error ${check.relativeError}`);
    assertClose(check.meanInSystem, 1.5, 0.15, 'L');
  });

  it('pools several windows, each on its own time base', () => {
    const one = { intervals: [{ arrivalMs: 0, endMs: 500 }, { arrivalMs: 500, endMs: 1000 }], windowStartMs: 0, windowEndMs: 1000 };
    const two = { intervals: [{ arrivalMs: 0, endMs: 1000 }], windowStartMs: 0, windowEndMs: 1000 };
    const check = checkLittlesLaw([one, two]);
    assertClose(check.meanInSystem, 1, 1e-12);
    assertClose(check.arrivalRatePerSecond, 1.5, 1e-12);
    assertClose(check.relativeError, 0, 1e-12);
  });

  it('fails when the queue grows through the window', () => {
    // Arrivals every 100 ms, served one at a time in 200 ms: most time in system falls after the window.
    const intervals = Array.from({ length: 100 }, (_, i) => ({ arrivalMs: i * 100, endMs: (i + 1) * 200 }));
    const check = checkLittlesLaw([{ intervals, windowStartMs: 0, windowEndMs: 10_000 }]);
    assert.ok(check.relativeError > 0.3, `relative error ${check.relativeError}`);
  });

  it('is 0 for an empty window and rejects a window that ends before it starts', () => {
    assert.equal(checkLittlesLaw([{ intervals: [], windowStartMs: 0, windowEndMs: 10 }]).relativeError, 0);
    assert.throws(() => checkLittlesLaw([{ intervals: [], windowStartMs: 10, windowEndMs: 10 }]), RangeError);
    assert.throws(() => checkLittlesLaw([]), RangeError);
  });
});
