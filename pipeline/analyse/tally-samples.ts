import { LIFECYCLE_PHASES, type LifecyclePhase, type Sample } from '../types.ts';

/** What the comparisons look at: each life-cycle phase, and the life cycle end to end. */
export type ComparedPhase = LifecyclePhase | 'total';
export const COMPARED_PHASES: readonly ComparedPhase[] = [...LIFECYCLE_PHASES, 'total'];

/** What was measured for one phase of one cell before any statistics. */
export interface PhaseTally {
  durationsMs: number[];
  errors: number;
}

export interface CellTally {
  phases: Map<LifecyclePhase, PhaseTally>;
  /**
   * One value per complete life cycle, in repetition then slot order: the sum of its five
   * phases. A repetition of a cell at concurrency N holds N life cycles, one per slot. A
   * life cycle is complete when each of the five phases has exactly one successful sample;
   * one failed (or doubly recorded) phase leaves it out, because a life cycle with a hole in
   * it is not a life cycle.
   */
  totalsMs: number[];
}

export function isLifecyclePhase(phase: Sample['phase']): phase is LifecyclePhase {
  return (LIFECYCLE_PHASES as readonly string[]).includes(phase);
}

/**
 * Measured life-cycle samples per cell id: ok → durations, not ok → errors. Warm-ups and
 * setup steps are left out. Shared by `analyseResults` and `compareRuns`, so both read a
 * results folder the same way.
 */
export function tallyMeasuredSamples(samples: readonly Sample[]): Map<string, CellTally> {
  const byCell = new Map<string, CellTally>();
  const repsByCell = new Map<string, Map<string, { rep: number; slot: number; durationsMs: (number | undefined)[]; spoiled: boolean }>>();
  for (const sample of samples) {
    if (sample.warmup || !isLifecyclePhase(sample.phase)) continue;
    let cell = byCell.get(sample.cellId);
    if (!cell) {
      byCell.set(sample.cellId, (cell = { phases: new Map(), totalsMs: [] }));
      repsByCell.set(sample.cellId, new Map());
    }
    let tally = cell.phases.get(sample.phase);
    if (!tally) cell.phases.set(sample.phase, (tally = { durationsMs: [], errors: 0 }));
    if (sample.ok) tally.durationsMs.push(sample.durationMs);
    else tally.errors++;

    const reps = repsByCell.get(sample.cellId)!;
    const key = `${sample.rep}/${sample.slot ?? 0}`;
    let rep = reps.get(key);
    if (!rep) reps.set(key, (rep = { rep: sample.rep, slot: sample.slot ?? 0, durationsMs: [], spoiled: false }));
    const index = LIFECYCLE_PHASES.indexOf(sample.phase);
    if (!sample.ok || rep.durationsMs[index] !== undefined) rep.spoiled = true;
    else rep.durationsMs[index] = sample.durationMs;
  }
  for (const [cellId, reps] of repsByCell) {
    const cell = byCell.get(cellId)!;
    for (const { durationsMs, spoiled } of [...reps.values()].sort((a, b) => a.rep - b.rep || a.slot - b.slot)) {
      if (spoiled) continue;
      let sum = 0;
      let phases = 0;
      // Summed in life-cycle order, so the float result does not depend on the file order.
      for (let i = 0; i < LIFECYCLE_PHASES.length; i++) {
        const durationMs = durationsMs[i];
        if (durationMs === undefined) break;
        sum += durationMs;
        phases++;
      }
      if (phases === LIFECYCLE_PHASES.length) cell.totalsMs.push(sum);
    }
  }
  return byCell;
}

/** The successful durations of one phase, or the totals of the complete repetitions. */
export function durationsOf(tally: CellTally | undefined, phase: ComparedPhase): number[] {
  if (!tally) return [];
  return phase === 'total' ? tally.totalsMs : (tally.phases.get(phase)?.durationsMs ?? []);
}
