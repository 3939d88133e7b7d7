import type { CellSummary, Manifest, Summary } from '../types.ts';

/**
 * What adaptive stopping saved: for each cell the run stopped as precise enough, the
 * repetitions short of the matrix's maximum, timed at the cell's median makespan (one
 * repetition's wall time). Undefined when the matrix did not ask for adaptive stopping, or
 * the run recorded no outcomes.
 */
export function summariseAdaptive(manifest: Manifest, cells: readonly CellSummary[]): Summary['adaptive'] {
  const outcomes = manifest.cellOutcomes;
  if (manifest.matrix.adaptive === undefined || outcomes === undefined) return undefined;
  const makespanOf = new Map(cells.map((cell) => [cell.cellId, cell.batch?.makespanMedianMs ?? cell.totalMedianMs]));
  let cellsStoppedEarly = 0;
  let repetitionsSaved = 0;
  let savedMs = 0;
  for (const [cellId, outcome] of Object.entries(outcomes).sort(([a], [b]) => a.localeCompare(b))) {
    if (outcome.stoppedBecause !== 'precise') continue;
    const saved = Math.max(0, manifest.matrix.repetitions - outcome.measuredReps);
    cellsStoppedEarly += saved > 0 ? 1 : 0;
    repetitionsSaved += saved;
    savedMs += saved * (makespanOf.get(cellId) ?? 0);
  }
  return { cells: Object.keys(outcomes).length, cellsStoppedEarly, repetitionsSaved, savedMs };
}
