import { strict as assert } from 'node:assert';
import { runOpenLoop, type OpenLoopOptions, type OpenLoopProgress, type OpenLoopRecord, type OpenLoopSubmission } from '../../../pipeline/run/load/open-loop.ts';
import { poissonArrivalTimesMs } from '../../../pipeline/statistics/poisson-arrivals.ts';
import { mdcMeanWaitMs } from '../../../pipeline/statistics/queueing.ts';
import { VirtualClock } from './virtual-clock.ts';

/** An open loop on a virtual clock: 10 s of arrivals, no warm-up, a 60 s drain, unless told. */
function optionsOn<R>(clock: VirtualClock, overrides: Partial<OpenLoopOptions<R>> & Pick<OpenLoopOptions<R>, 'intendedMs' | 'serve'>): OpenLoopOptions<R> {
  return { slots: 1, clock: clock.now, sleepUntil: clock.sleepUntil, warmupMs: 0, measuredMs: 10_000, maxDrainMs: 60_000, ...overrides };
}

describe('runOpenLoop()', () => {
  it('serves first in, first out: dispatch order is arrival order', async () => {
    const clock = new VirtualClock();
    const served: number[] = [];
    // Every arrival within the first 50 ms, services of uneven length: all but two wait.
    const intendedMs = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45];
    const step = await runOpenLoop(optionsOn(clock, {
      intendedMs,
      slots: 2,
      serve: async ({ index }: OpenLoopSubmission) => {
        served.push(index);
        await clock.sleep(index % 3 === 0 ? 300 : 100);
      },
    }));
    assert.deepEqual(served, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const dispatched = step.records.map((record) => record.dispatchedAtMs!);
    dispatched.forEach((atMs, i) => i > 0 && assert.ok(atMs >= dispatched[i - 1]!, `dispatch ${i} before ${i - 1}`));
  });

  it('never has more than `slots` in service, and fills them all under load', async () => {
    const clock = new VirtualClock();
    let inService = 0;
    let most = 0;
    await runOpenLoop(optionsOn(clock, {
      intendedMs: poissonArrivalTimesMs({ ratePerSecond: 20, durationMs: 10_000, seed: 3 }),
      slots: 3,
      serve: async () => {
        most = Math.max(most, ++inService);
        await clock.sleep(400);
        inService--;
      },
    }));
    assert.equal(most, 3);
  });

  it('does not delay arrivals behind a 10 s service: they queue at their intended times', async () => {
    const clock = new VirtualClock();
    const progress: OpenLoopProgress[] = [];
    const step = await runOpenLoop(optionsOn(clock, {
      intendedMs: [0, 100, 200, 300],
      serve: () => clock.sleep(10_000),
      onProgress: (p: OpenLoopProgress) => progress.push(p),
    }));
    // Each arrival is seen at its intended time, while the first service still runs.
    const arrivals = progress.filter((p, i) => i === 0 || p.arrived > progress[i - 1]!.arrived);
    assert.deepEqual(arrivals.map((p) => [p.atMs, p.arrived, p.queued]), [[0, 1, 0], [100, 2, 1], [200, 3, 2], [300, 4, 3]]);
    assert.deepEqual(step.records.map((r) => [r.intendedAtMs, r.dispatchedAtMs, r.doneAtMs]), [
      [0, 0, 10_000],
      [100, 10_000, 20_000],
      [200, 20_000, 30_000],
      [300, 30_000, 40_000],
    ]);
  });

  it('dispatches at the intended times when slots are free, however long the service', async () => {
    const clock = new VirtualClock();
    const step = await runOpenLoop(optionsOn(clock, { intendedMs: [0, 100, 200, 300], slots: 4, serve: () => clock.sleep(10_000) }));
    assert.deepEqual(step.records.map((r) => r.dispatchedAtMs), [0, 100, 200, 300]);
  });

  it('keeps the intended time of a late timer, so its lateness counts as waiting', async () => {
    const clock = new VirtualClock({ lagMs: 7 });
    const step = await runOpenLoop(optionsOn(clock, { intendedMs: [0, 1000, 2000], slots: 4, serve: () => clock.sleep(10) }));
    assert.deepEqual(step.records.map((r) => [r.intendedAtMs, r.dispatchedAtMs]), [[0, 7], [1000, 1007], [2000, 2007]]);
  });

  it('fires overdue arrivals at once after a stall, each keeping its intended time', async () => {
    const clock = new VirtualClock();
    const step = await runOpenLoop(optionsOn(clock, {
      intendedMs: [0, 1000, 2000, 6000],
      slots: 4,
      serve: async ({ index }: OpenLoopSubmission) => {
        if (index === 0) clock.jump(5000); // a synchronous 5 s stall of the event loop
        await clock.sleep(10);
      },
    }));
    assert.deepEqual(step.records.map((r) => [r.intendedAtMs, r.dispatchedAtMs]), [[0, 0], [1000, 5000], [2000, 5000], [6000, 6000]]);
  });

  it('ends at the drain bound: in service abandoned and cancelled, queued unserved, late results ignored', async () => {
    const clock = new VirtualClock();
    const cancelled: number[] = [];
    const step = await runOpenLoop(optionsOn(clock, {
      intendedMs: [0, 100, 200, 300],
      slots: 2,
      measuredMs: 1000,
      maxDrainMs: 2000,
      // The first finishes, the second takes an hour, the rest would follow.
      serve: ({ index }: OpenLoopSubmission) => clock.sleep(index === 0 ? 500 : 3_600_000),
      cancel: ({ index }: OpenLoopSubmission) => void cancelled.push(index),
    }));
    assert.equal(step.deadlineMs, 3000);
    assert.equal(step.endedAtMs, 3000);
    assert.equal(step.drained, false);
    assert.deepEqual(step.records.map((r) => r.state), ['ok', 'abandoned', 'abandoned', 'unserved']);
    assert.deepEqual(step.records.map((r) => r.doneAtMs), [500, null, null, null]);
    assert.deepEqual(cancelled, [1, 2]);
    // Let the hour-long services end: nothing in the records may change.
    const before = JSON.stringify(step.records);
    while (clock.pendingTimers > 0) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(JSON.stringify(step.records), before);
  });

  it('returns at the drain bound even when a service never settles and its cancel hangs', async () => {
    const clock = new VirtualClock();
    const step = await runOpenLoop(optionsOn(clock, {
      intendedMs: [0],
      measuredMs: 1000,
      maxDrainMs: 1000,
      cancelGraceMs: 500,
      serve: () => new Promise<never>(() => {}),
      cancel: () => new Promise<never>(() => {}),
    }));
    assert.deepEqual(step.records.map((r) => r.state), ['abandoned']);
    assert.equal(clock.now(), 2500);
  });

  it('ends as soon as the system is empty, leaving no timer behind', async () => {
    const clock = new VirtualClock();
    const step = await runOpenLoop(optionsOn(clock, { intendedMs: [0, 100], serve: () => clock.sleep(50) }));
    assert.equal(step.drained, true);
    assert.equal(step.endedAtMs, 150);
    assert.equal(clock.pendingTimers, 0);
  });

  it('ends at once for a step without arrivals', async () => {
    const clock = new VirtualClock();
    const step = await runOpenLoop(optionsOn(clock, { intendedMs: [], serve: () => clock.sleep(1) }));
    assert.deepEqual([step.records, step.endedAtMs, step.drained], [[], 0, true]);
  });

  it('records errors, thrown or rejected, with their times, and serves on', async () => {
    const clock = new VirtualClock();
    const step = await runOpenLoop(optionsOn(clock, {
      intendedMs: [0, 10, 20],
      serve: async ({ index }: OpenLoopSubmission) => {
        if (index === 0) throw new Error('grading container did not start');
        await clock.sleep(100);
        if (index === 1) throw new Error('student container killed');
        return { steps: ['create', 'start'] };
      },
    }));
    assert.deepEqual(step.records.map((r) => r.state), ['errored', 'errored', 'ok']);
    const [first, second, third] = step.records as [OpenLoopRecord<unknown>, OpenLoopRecord<unknown>, OpenLoopRecord<unknown>];
    assert.ok(first.state === 'errored' && (first.error as Error).message === 'grading container did not start');
    assert.deepEqual([second.dispatchedAtMs, second.doneAtMs], [10, 110]);
    assert.ok(third.state === 'ok');
    assert.deepEqual(third.result, { steps: ['create', 'start'] });
    assert.deepEqual([third.dispatchedAtMs, third.doneAtMs], [110, 210]);
  });

  it('treats a serve that throws before returning a promise like a rejection', async () => {
    const clock = new VirtualClock();
    const step = await runOpenLoop(optionsOn(clock, {
      intendedMs: [0, 1],
      serve: ({ index }: OpenLoopSubmission) => {
        if (index === 0) throw new Error('no runtime');
        return clock.sleep(1);
      },
    }));
    assert.deepEqual(step.records.map((r) => r.state), ['errored', 'ok']);
  });

  it('marks arrivals before warmupMs as warm-up, on the record and for serve', async () => {
    const clock = new VirtualClock();
    const seen: boolean[] = [];
    const step = await runOpenLoop(optionsOn(clock, {
      intendedMs: [0, 999, 1000, 5000],
      warmupMs: 1000,
      measuredMs: 9000,
      slots: 4,
      serve: async ({ warmup }: OpenLoopSubmission) => void seen.push(warmup),
    }));
    assert.deepEqual(step.records.map((r) => r.warmup), [true, true, false, false]);
    assert.deepEqual(seen, [true, true, false, false]);
    assert.equal(step.arrivalsEndMs, 10_000);
  });

  it('reports queue length, service, done and the p95 latency so far', async () => {
    const clock = new VirtualClock();
    const progress: OpenLoopProgress[] = [];
    await runOpenLoop(optionsOn(clock, {
      intendedMs: [0, 0, 0],
      serve: () => clock.sleep(100),
      onProgress: (p: OpenLoopProgress) => progress.push(p),
    }));
    const last = progress.at(-1)!;
    assert.deepEqual([last.arrived, last.total, last.queued, last.inService, last.done], [3, 3, 0, 0, 3]);
    // Latencies 100, 200, 300: type-7 p95 = 200 + 0.9·100.
    assert.equal(last.p95LatencyMs, 290);
    assert.equal(progress[0]!.p95LatencyMs, null);
    assert.ok(progress.some((p) => p.queued === 2 && p.inService === 1));
  });

  it('rejects unsorted arrivals, arrivals outside the window and zero slots', async () => {
    const clock = new VirtualClock();
    const serve = () => clock.sleep(1);
    await assert.rejects(runOpenLoop(optionsOn(clock, { intendedMs: [10, 5], serve })), /ascend/);
    await assert.rejects(runOpenLoop(optionsOn(clock, { intendedMs: [10_000], serve })), /outside the arrival window/);
    await assert.rejects(runOpenLoop(optionsOn(clock, { intendedMs: [0], slots: 0, serve })), /slots/);
  });

  describe('against M/D/c theory (deterministic 1 s service, Poisson arrivals)', () => {
    /** The mean waiting of the measured arrivals of five seeded steps of ~20k arrivals each. */
    async function measuredMeanWaitMs(slots: number, ratePerSecond: number): Promise<number> {
      let totalWaitMs = 0;
      let count = 0;
      for (const seed of [1, 2, 3, 4, 5]) {
        const clock = new VirtualClock();
        const durationMs = (20_000 / ratePerSecond) * 1000;
        const step = await runOpenLoop(optionsOn(clock, {
          intendedMs: poissonArrivalTimesMs({ ratePerSecond, durationMs, seed }),
          slots,
          serve: () => clock.sleep(1000),
          warmupMs: 0.05 * durationMs,
          measuredMs: 0.95 * durationMs,
          maxDrainMs: 3_600_000,
        }));
        assert.equal(step.drained, true);
        for (const record of step.records) {
          if (record.warmup) continue;
          totalWaitMs += record.dispatchedAtMs! - record.intendedAtMs;
          count++;
        }
      }
      return totalWaitMs / count;
    }

    it('agrees with Pollaczek–Khinchine within 4 % for c = 1 at ρ = 0.5 (exact: 500 ms)', async () => {
      const theoryMs = mdcMeanWaitMs({ servers: 1, arrivalRatePerSecond: 0.5, meanServiceMs: 1000 });
      assert.equal(theoryMs, 500);
      const measuredMs = await measuredMeanWaitMs(1, 0.5);
      assert.ok(Math.abs(measuredMs / theoryMs - 1) < 0.04, `measured ${measuredMs} ms, theory ${theoryMs} ms`);
    });

    it('agrees with Allen–Cunneen within 10 % for c = 2 at ρ = 0.7 (an approximation: ~480 ms)', async () => {
      const theoryMs = mdcMeanWaitMs({ servers: 2, arrivalRatePerSecond: 1.4, meanServiceMs: 1000 });
      const measuredMs = await measuredMeanWaitMs(2, 1.4);
      assert.ok(Math.abs(measuredMs / theoryMs - 1) < 0.1, `measured ${measuredMs} ms, Allen–Cunneen ${theoryMs} ms`);
    });
  });
});
