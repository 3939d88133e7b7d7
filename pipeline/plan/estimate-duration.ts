import { LIFECYCLE_PHASES, type Cell, type Matrix, type Sample } from '../types.ts';
import { medianOf } from '../statistics/statistics.ts';
import { scheduleUnits } from './schedule-units.ts';

export interface DurationEstimate {
  totalMs: number;
  /** Feasible cells no earlier sample speaks for: the estimate leaves them out. */
  cellsWithoutHistory: string[];
}

const median = (values: number[]): number => (values.length === 0 ? 0 : medianOf(values));

/**
 * How long a run of these cells would take, from earlier samples of the same cells: per
 * repetition (warm-ups included) the median batch makespan, or failing that the sum of the
 * phase medians; per unit the median setup (volume, runtime start, image import) of its group.
 */
export function estimateDuration(cells: readonly Cell[], matrix: Pick<Matrix, 'repetitions' | 'blockRepetitions' | 'seed' | 'warmup'>, history: readonly Sample[]): DurationEstimate {
  const of = (id: string, phase: string) => history.filter((sample) => sample.cellId === id && sample.phase === phase && sample.ok).map((sample) => sample.durationMs);
  const repetitionMs = new Map<string, number>();
  for (const cell of cells.filter((candidate) => candidate.feasible)) {
    const makespans = of(cell.id, 'makespan');
    const phases = LIFECYCLE_PHASES.map((phase) => of(cell.id, phase));
    if (makespans.length > 0) repetitionMs.set(cell.id, median(makespans));
    else if (phases.every((values) => values.length > 0)) repetitionMs.set(cell.id, phases.reduce((sum, values) => sum + median(values), 0));
  }
  let totalMs = 0;
  for (const unit of scheduleUnits(cells, matrix)) {
    totalMs += ['provision-volume', 'start-runtime', 'import-image'].reduce((sum, step) => sum + median(of(unit.groupId, step)), 0);
    for (const entry of unit.cells) totalMs += (repetitionMs.get(entry.cell.id) ?? 0) * (entry.reps + matrix.warmup);
  }
  return { totalMs, cellsWithoutHistory: cells.filter((cell) => cell.feasible && !repetitionMs.has(cell.id)).map((cell) => cell.id) };
}
