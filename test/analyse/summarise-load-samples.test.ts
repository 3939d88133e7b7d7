import assert from 'node:assert/strict';
import { summariseLoadSamples } from '../../pipeline/analyse/summarise-load-samples.ts';
import type { LoadExperiment, Manifest, Sample } from '../../pipeline/types.ts';
import { loadSample } from '../store/resume-load-steps.test.ts';

const LOAD: LoadExperiment = {
  runtimes: [{ runtime: 'runc' }], image: 'grader', workload: 'inginious-task', lifecycle: 'command', arrivals: 'poisson', ratesPerSecond: [1], autoRateCount: 5,
  calibrationSubmissions: 3, warmupS: 1, durationS: 10, maxDrainS: 5, sloP95Ms: 2000, repeats: 1, exam: { students: 300, submissionsPerStudent: 5, windowMinutes: 15 },
};
const manifestOf = (load?: LoadExperiment) => ({ matrix: { seed: 1, ...(load !== undefined ? { load } : {}) } }) as unknown as Manifest;

describe('summariseLoadSamples()', () => {
  it('is absent without a load section or without load samples', () => {
    assert.equal(summariseLoadSamples(manifestOf(), [loadSample(0, 0, 1)]), undefined);
    assert.equal(summariseLoadSamples(manifestOf(LOAD), []), undefined);
  });

  it('summarises the steps per series, the calibration apart (its warm-up left out), and sizes the exam', () => {
    // One submission every second over the 10 s measured window, each served in 300 ms.
    const step = Array.from({ length: 10 }, (_, rep) => loadSample(0, rep, 10, { intendedAtMs: 1000 + rep * 1000, dispatchedAtMs: 1000 + rep * 1000, doneAtMs: 1300 + rep * 1000, ratePerSecond: 1 }));
    const calibration = [0, 1, 2].map((rep) => loadSample(-1, rep, 3, { ratePerSecond: 0, warmup: rep === 0, intendedAtMs: 0, dispatchedAtMs: rep * 1000, doneAtMs: rep * 1000 + (rep === 0 ? 900 : 400) }));
    const summary = summariseLoadSamples(manifestOf(LOAD), [...calibration, ...step] as Sample[]);
    assert.ok(summary !== undefined);
    assert.deepEqual(summary.calibration, [{ runtime: 'runc', configLabel: 'overlay on ext4', n: 2, meanServiceMs: 400 }]);
    assert.equal(summary.series.length, 1);
    const [rate] = summary.series[0]!.rates;
    assert.equal(rate?.ratePerSecond, 1);
    assert.equal(rate?.n, 10);
    assert.equal(rate?.latency.p50Ms, 300);
    assert.equal(summary.examRatePerSecond, 300 * 5 / (15 * 60));
    assert.equal(summary.series[0]!.maxSustainableRatePerSecond, 1);
    assert.deepEqual(summary.hostsForExam, [{ runtime: 'runc', configLabel: 'overlay on ext4', hosts: 2 }]);
  });
});
