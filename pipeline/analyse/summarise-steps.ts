import { medianOf } from '../statistics/statistics.ts';
import { LIFECYCLE_PHASES, type LifecyclePhase, type PhaseSample, type Sample, type StepTiming } from '../types.ts';

/**
 * What each phase of each cell is made of: per step label, the median over the successful
 * measured samples of the time that label took in a sample (a label that appears twice in a
 * sample, `harness` say, counts as their sum), in the order the labels first appear. The
 * chapter says from these how much of create is the storage driver and how much the runtime.
 */
export function summariseSteps(samples: readonly Sample[]): Map<string, Partial<Record<LifecyclePhase, StepTiming[]>>> {
  const perCell = new Map<string, Map<LifecyclePhase, PhaseSample[]>>();
  for (const sample of samples) {
    if (sample.kind !== 'phase' || sample.warmup || !sample.ok) continue;
    const phases = perCell.get(sample.cellId) ?? new Map<LifecyclePhase, PhaseSample[]>();
    perCell.set(sample.cellId, phases);
    const list = phases.get(sample.phase);
    if (list === undefined) phases.set(sample.phase, [sample]);
    else list.push(sample);
  }
  const result = new Map<string, Partial<Record<LifecyclePhase, StepTiming[]>>>();
  for (const [cellId, phases] of perCell) {
    const summary: Partial<Record<LifecyclePhase, StepTiming[]>> = {};
    for (const phase of LIFECYCLE_PHASES) {
      const list = phases.get(phase);
      if (list === undefined) continue;
      const labels: string[] = [];
      const perSample = list.map((sample) => {
        const sums = new Map<string, number>();
        for (const step of sample.steps) {
          if (!labels.includes(step.label)) labels.push(step.label);
          sums.set(step.label, (sums.get(step.label) ?? 0) + step.durationMs);
        }
        return sums;
      });
      summary[phase] = labels.map((label) => ({ label, durationMs: medianOf(perSample.map((sums) => sums.get(label) ?? 0)) }));
    }
    result.set(cellId, summary);
  }
  return result;
}

/** The facts a probe workload reported, from the last measured repetition that has them. */
export function factsOf(samples: readonly Sample[], cellId: string): PhaseSample['facts'] {
  let facts: PhaseSample['facts'];
  for (const sample of samples) {
    if (sample.kind === 'phase' && sample.cellId === cellId && !sample.warmup && sample.facts !== undefined) facts = sample.facts;
  }
  return facts;
}
