import {
  LIFECYCLE_PHASES,
  type CellSummary,
  type LifecyclePhase,
  type Manifest,
  type PhaseStats,
  type Sample,
  type Summary,
} from '../types.ts';
import { bootstrapMedianCi } from './bootstrap.ts';
import { deriveSeed, mulberry32 } from './seeded-random.ts';
import { describeDurations } from './statistics.ts';

export interface AnalyseInput {
  manifest: Manifest;
  samples: Sample[];
  /** Torn or invalid lines the reader of samples.jsonl could not use; passed through. */
  setAsideLines: number;
}

/** What was measured for one phase of one cell before any statistics. */
interface PhaseTally {
  durationsMs: number[];
  errors: number;
}

/**
 * Stage 6: samples → Summary. A pure function: no clock, randomness only from
 * `manifest.matrix.seed`, so the same results folder always gives the same summary.
 *
 * ```
 * samples ─1─▶ measured life-cycle samples, tallied per cell and phase (ok → durations,
 *   │          not ok → errors); warm-ups, setup steps and unknown cells are left out
 *   ├─2─▶ per phase with ≥ 1 success: statistics + bootstrap CI of the median
 *   │          (a PRNG seeded from seed + cell id + phase)
 *   ├─3─▶ cells in manifest order, phases in life-cycle order
 *   └─4─▶ skipped (infeasible) and failed (feasible, nothing measured) cells
 * ```
 */
export function analyseResults(input: AnalyseInput): Summary {
  const { manifest, samples, setAsideLines } = input;

  // 1. Tally.
  const tallies = tallyMeasuredSamples(samples);

  // 2 + 3. Statistics per cell, in the order the plan listed the cells.
  const cells: CellSummary[] = [];
  const failed: Summary['failed'] = [];
  for (const cell of manifest.cells) {
    if (!cell.feasible) continue;
    const phases = summarisePhases(manifest.matrix.seed, cell.id, tallies.get(cell.id));
    const medians = LIFECYCLE_PHASES.flatMap((phase) => phases[phase]?.medianMs ?? []);
    // 4. A feasible cell without a single successful measurement is a failure to report,
    // not a row of empty statistics.
    if (medians.length === 0) {
      failed.push({ cellId: cell.id, error: firstError(samples, cell.id) });
      continue;
    }
    cells.push({
      cellId: cell.id,
      runtime: cell.runtime,
      storageDriver: cell.storageDriver,
      filesystem: cell.filesystem,
      image: cell.image,
      workload: cell.workload,
      concurrency: cell.concurrency,
      phases,
      totalMedianMs: medians.reduce((sum, m) => sum + m, 0),
    });
  }

  // 4. Skipped cells keep the plan's reason.
  const skipped = manifest.cells
    .filter((cell) => !cell.feasible)
    .map((cell) => ({ cellId: cell.id, reason: cell.skipReason ?? 'no reason recorded' }));

  return {
    schemaVersion: 1,
    matrixName: manifest.matrix.name,
    seed: manifest.matrix.seed,
    cells,
    skipped,
    failed,
    setAsideLines,
  };
}

function isLifecyclePhase(phase: Sample['phase']): phase is LifecyclePhase {
  return (LIFECYCLE_PHASES as readonly string[]).includes(phase);
}

function tallyMeasuredSamples(samples: readonly Sample[]): Map<string, Map<LifecyclePhase, PhaseTally>> {
  const byCell = new Map<string, Map<LifecyclePhase, PhaseTally>>();
  for (const sample of samples) {
    if (sample.warmup || !isLifecyclePhase(sample.phase)) continue;
    let byPhase = byCell.get(sample.cellId);
    if (!byPhase) byCell.set(sample.cellId, (byPhase = new Map()));
    let tally = byPhase.get(sample.phase);
    if (!tally) byPhase.set(sample.phase, (tally = { durationsMs: [], errors: 0 }));
    if (sample.ok) tally.durationsMs.push(sample.durationMs);
    else tally.errors++;
  }
  return byCell;
}

function summarisePhases(
  seed: number,
  cellId: string,
  tallies: Map<LifecyclePhase, PhaseTally> | undefined,
): CellSummary['phases'] {
  const phases: CellSummary['phases'] = {};
  for (const phase of LIFECYCLE_PHASES) {
    const tally = tallies?.get(phase);
    if (!tally || tally.durationsMs.length === 0) continue;
    phases[phase] = summarisePhase(seed, cellId, phase, tally);
  }
  return phases;
}

function summarisePhase(seed: number, cellId: string, phase: LifecyclePhase, tally: PhaseTally): PhaseStats {
  const stats = describeDurations(tally.durationsMs);
  // Seeded per cell and phase, so one cell's interval does not depend on which other cells
  // exist or in which order they were analysed.
  const random = mulberry32(deriveSeed(seed, `${cellId}\u0000${phase}`));
  const [ciLowMs, ciHighMs] = bootstrapMedianCi(tally.durationsMs, { random });
  // Keys in the PhaseStats order, so the written summary reads the same way everywhere.
  return {
    n: stats.n,
    errors: tally.errors,
    medianMs: stats.medianMs,
    ciLowMs,
    ciHighMs,
    meanMs: stats.meanMs,
    stdDevMs: stats.stdDevMs,
    minMs: stats.minMs,
    maxMs: stats.maxMs,
    p95Ms: stats.p95Ms,
  };
}

/**
 * The first error the cell recorded, in file order (the order things happened): the first
 * failure is usually the cause, later ones its consequences. Setup steps and warm-ups count
 * here, because a cell whose volume never mounted fails before any phase runs.
 */
function firstError(samples: readonly Sample[], cellId: string): string {
  const sample = samples.find((s) => s.cellId === cellId && !s.ok);
  if (!sample) return 'no measured sample was recorded';
  return sample.error ?? `${sample.phase} failed without an error message`;
}
