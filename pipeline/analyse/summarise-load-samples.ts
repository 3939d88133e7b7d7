import { examArrivalRatePerSecond, hostsForExam } from '../report/exam-capacity.ts';
import type { LoadSummary, Manifest, Sample } from '../types.ts';
import { summariseLoad, type LoadSample as QueueSample } from './summarise-load.ts';

/** A series' configuration beside its runtime: `overlay on ext4`. */
export function loadConfigLabel(sample: { storageDriver: string; filesystem: string }): string {
  return `${sample.storageDriver} on ${sample.filesystem}`;
}

/**
 * The load experiment's samples → Summary.load: the rate steps summarised per runtime and
 * configuration by summariseLoad (quantiles, throughput, Little's law, M/G/c, the max
 * sustainable rate with its bootstrap interval), the zero-load calibration's mean service
 * time, and the hosts the matrix's exam needs per series. undefined without a load section or
 * without load samples. Pure: randomness only from the matrix seed.
 */
export function summariseLoadSamples(manifest: Manifest, samples: readonly Sample[]): LoadSummary | undefined {
  const load = manifest.matrix.load;
  if (load === undefined) return undefined;
  const loadSamples = samples.filter((sample) => sample.kind === 'load');
  if (loadSamples.length === 0) return undefined;
  const calibrations = new Map<string, { runtime: string; configLabel: string; servicesMs: number[] }>();
  const stepped: QueueSample[] = [];
  for (const sample of loadSamples) {
    const configLabel = loadConfigLabel(sample);
    if (sample.rateStepIndex < 0) {
      const key = `${sample.runtime}\u0000${configLabel}`;
      const entry = calibrations.get(key) ?? { runtime: sample.runtime, configLabel, servicesMs: [] };
      if (!sample.warmup && sample.ok && sample.doneAtMs !== null && sample.dispatchedAtMs !== null) entry.servicesMs.push(sample.doneAtMs - sample.dispatchedAtMs);
      calibrations.set(key, entry);
      continue;
    }
    stepped.push({
      runtime: sample.runtime, configLabel, ratePerSecond: sample.ratePerSecond, rateStepIndex: sample.rateStepIndex, repeat: sample.repeat, slots: sample.slots,
      warmupMs: sample.warmupMs, measuredMs: sample.measuredMs, intendedAtMs: sample.intendedAtMs, dispatchedAtMs: sample.dispatchedAtMs, doneAtMs: sample.doneAtMs,
      ok: sample.ok, warmup: sample.warmup,
    });
  }
  const series = summariseLoad(stepped, { sloP95Ms: load.sloP95Ms, seed: manifest.matrix.seed });
  return {
    sloP95Ms: load.sloP95Ms,
    exam: load.exam,
    examRatePerSecond: examArrivalRatePerSecond(load.exam),
    calibration: [...calibrations.values()].filter((entry) => entry.servicesMs.length > 0).map(({ runtime, configLabel, servicesMs }) => ({
      runtime, configLabel, n: servicesMs.length, meanServiceMs: servicesMs.reduce((sum, value) => sum + value, 0) / servicesMs.length,
    })),
    series,
    hostsForExam: series.map((entry) => ({ runtime: entry.runtime, configLabel: entry.configLabel, hosts: hostsForExam({ ...load.exam, maxSustainableRatePerSecond: entry.maxSustainableRatePerSecond }) })),
  };
}
