import { strict as assert } from 'node:assert';
import { monotonicNowMs, sleepUntilMonotonic } from '../../../pipeline/run/load/monotonic-clock.ts';
import { runOpenLoop } from '../../../pipeline/run/load/open-loop.ts';

describe('monotonicNowMs()', () => {
  it('is process.hrtime in ms and never goes back', () => {
    const hrtimeMs = Number(process.hrtime.bigint()) / 1e6;
    const readings = Array.from({ length: 1000 }, monotonicNowMs);
    assert.ok(readings[0]! >= hrtimeMs && readings[0]! - hrtimeMs < 1000);
    readings.forEach((ms, i) => i > 0 && assert.ok(ms >= readings[i - 1]!));
  });
});

describe('sleepUntilMonotonic()', () => {
  it('never resolves before the time asked for', async () => {
    for (let i = 0; i < 5; i++) {
      const atMs = monotonicNowMs() + 15;
      await sleepUntilMonotonic(atMs);
      assert.ok(monotonicNowMs() >= atMs);
    }
  });

  it('resolves at once for a time already past', async () => {
    let resolved = false;
    const sleep = sleepUntilMonotonic(monotonicNowMs() - 1000).then(() => (resolved = true));
    await Promise.resolve();
    await sleep;
    assert.equal(resolved, true);
  });

  it('never settles once aborted', async () => {
    const abort = new AbortController();
    let settled = false;
    void sleepUntilMonotonic(monotonicNowMs() + 10, abort.signal).then(() => (settled = true));
    abort.abort();
    await sleepUntilMonotonic(monotonicNowMs() + 30);
    assert.equal(settled, false);
  });
});

describe('runOpenLoop() on the real clock', () => {
  it('serves a short step of real sleeps in order, each no earlier than intended', async () => {
    const serviceMs = 20;
    const step = await runOpenLoop({
      intendedMs: [0, 10, 20, 30, 40],
      slots: 1,
      serve: () => sleepUntilMonotonic(monotonicNowMs() + serviceMs),
      clock: monotonicNowMs,
      sleepUntil: sleepUntilMonotonic,
      warmupMs: 0,
      measuredMs: 50,
      maxDrainMs: 10_000,
    });
    assert.equal(step.drained, true);
    step.records.forEach((record, i) => {
      assert.equal(record.state, 'ok');
      assert.ok(record.dispatchedAtMs! >= record.intendedAtMs, `dispatched before intended at ${i}`);
      assert.ok(record.doneAtMs! - record.dispatchedAtMs! >= serviceMs, `served in under ${serviceMs} ms at ${i}`);
      if (i > 0) assert.ok(record.dispatchedAtMs! >= step.records[i - 1]!.doneAtMs!, `two in service at ${i}`);
    });
  });
});
