import { summariseAdaptive } from './summarise-adaptive.ts';
import {
  LIFECYCLE_PHASES,
  SETUP_STEPS,
  type Cell,
  type CellSummary,
  type LifecyclePhase,
  type Manifest,
  type PhaseStats,
  type Sample,
  type Summary,
} from '../types.ts';
import { BOOTSTRAP_RESAMPLES, CONFIDENCE_LEVEL, percentileInterval } from '../statistics/bootstrap.ts';
import { answerQuestions } from './answer-questions.ts';
import { compareCells } from './compare-cells.ts';
import { groupSkips } from './group-skips.ts';
import { buildHeadline, rankCandidates } from './rank-candidates.ts';
import { sizeSlopes } from './size-slopes.ts';
import { buildDurationSeries, type DurationSeries } from './compare-series.ts';
import { countOutliers } from '../statistics/outliers.ts';
import { deriveSeed } from '../statistics/seeded-random.ts';
import { describeDurations } from '../statistics/statistics.ts';
import { summariseLimits, probedLimit } from './summarise-limits.ts';
import { summariseLoadSamples } from './summarise-load-samples.ts';
import { summariseCellMetrics, summariseDaemons, tallyCellMetrics } from './summarise-metrics.ts';
import { summariseSetup } from './summarise-setup.ts';
import { factsOf, summariseSteps } from './summarise-steps.ts';
import { durationsOf, tallyMeasuredSamples, type CellTally, type ComparedPhase } from './tally-samples.ts';

export interface AnalyseInput {
  manifest: Manifest;
  samples: Sample[];
  /** Torn or invalid lines the reader of samples.jsonl could not use; passed through. */
  setAsideLines: number;
}

/**
 * Stage 6: samples → Summary. A pure function: no clock, randomness only from
 * `manifest.matrix.seed`, so the same results folder always gives the same summary.
 *
 * ```
 * samples ─1─▶ measured life-cycle samples, tallied per cell and phase (ok → durations,
 *   │          not ok → errors) and per complete repetition (→ total); warm-ups, setup
 *   │          steps and unknown cells are left out
 *   ├─2─▶ per phase with ≥ 1 success: statistics, outlier count, bootstrap medians and the
 *   │          CI of the median (a PRNG seeded from seed + cell id + phase)
 *   ├─3─▶ cells in manifest order, phases in life-cycle order
 *   ├─4─▶ skipped (infeasible) and failed (feasible, nothing measured) cells
 *   ├─5─▶ setup steps: median per group, step and image
 *   ├─6─▶ comparisons of cells that differ in one axis, per phase and total: ratio of
 *   │          medians [CI from the bootstrap medians of step 2], Mann-Whitney p, Cliff's δ;
 *   │          isolation probes (limit-… workloads) left out
 *   ├─7─▶ per cell: batch makespan (median, bootstrap CI, throughput N ÷ median), peak
 *   │          memory (median, max), disk taken by create (median)
 *   ├─8─▶ per group: median resident memory of its daemons
 *   ├─9─▶ per runtime · driver · filesystem and limit: the isolation probes' majority verdict
 *   ├─10─▶ the load experiment: per series and rate, latency and waiting, throughput, Little's
 *   │      law, M/G/c, the max sustainable rate, and the hosts the exam needs
 *   └─11─▶ the declared questions (one Holm family), the ranking of every runtime on the
 *          reference workload with its isolation, the headline, image-size slopes, and the
 *          skips grouped by reason
 * ```
 */
export function analyseResults(input: AnalyseInput): Summary {
  const { manifest, samples, setAsideLines } = input;
  const { seed } = manifest.matrix;

  // 1. Tally.
  const tallies = tallyMeasuredSamples(samples);
  const metrics = tallyCellMetrics(samples);
  const stepsOfCell = summariseSteps(samples);

  // Each series (cell × phase, or cell × total) is bootstrapped once, from its own stream,
  // and serves both its own CI and every comparison it takes part in.
  const seriesCache = new Map<string, DurationSeries | undefined>();
  const seriesOf = (cellId: string, phase: ComparedPhase): DurationSeries | undefined => {
    const key = `${cellId}\u0000${phase}`;
    if (seriesCache.has(key)) return seriesCache.get(key);
    const durationsMs = durationsOf(tallies.get(cellId), phase);
    // Seeded per cell and phase, so one cell's interval does not depend on which other cells
    // exist or in which order they were analysed.
    const series =
      durationsMs.length === 0 ? undefined : buildDurationSeries(durationsMs, { seed: deriveSeed(seed, key), resamples: BOOTSTRAP_RESAMPLES });
    seriesCache.set(key, series);
    return series;
  };

  // 2 + 3. Statistics per cell, in the order the plan listed the cells.
  const cells: CellSummary[] = [];
  const failed: Summary['failed'] = [];
  for (const cell of manifest.cells) {
    if (!cell.feasible) continue;
    const phases = summarisePhases(cell.id, tallies.get(cell.id), seriesOf);
    const medians = LIFECYCLE_PHASES.flatMap((phase) => phases[phase]?.medianMs ?? []);
    // 4. A feasible cell without a single successful measurement is a failure to report,
    // not a row of empty statistics.
    if (medians.length === 0) {
      failed.push({ cellId: cell.id, error: firstError(samples, cell) });
      continue;
    }
    const probe = probedLimit(cell.workload);
    cells.push({
      cellId: cell.id,
      runtime: cell.runtime,
      storageDriver: cell.storageDriver,
      filesystem: cell.filesystem,
      image: cell.image,
      workload: cell.workload,
      lifecycle: cell.lifecycle,
      netns: cell.netns,
      cgroup: cell.cgroup,
      concurrency: cell.concurrency,
      phases,
      totalMedianMs: medians.reduce((sum, m) => sum + m, 0),
      ...totalOf(seriesOf(cell.id, 'total')),
      ...(stepsOfCell.has(cell.id) ? { steps: stepsOfCell.get(cell.id) } : {}),
      ...(factsOf(samples, cell.id) !== undefined ? { facts: factsOf(samples, cell.id) } : {}),
      ...(probe !== undefined ? { probe } : {}),
      // 7.
      ...summariseCellMetrics({ cellId: cell.id, concurrency: cell.concurrency }, metrics.get(cell.id), seed),
    });
  }

  // 4. Skipped cells keep the plan's reason.
  const skipped = manifest.cells
    .filter((cell) => !cell.feasible)
    .map((cell) => ({ cellId: cell.id, reason: cell.skipReason ?? 'no reason recorded' }));

  const adaptive = summariseAdaptive(manifest, cells);
  // 11. The declared questions, the ranking on the reference workload and its headline.
  const makespanSeries = new Map<string, DurationSeries | undefined>();
  const metricSeriesOf = (cellId: string, metric: LifecyclePhase | 'total' | 'makespan'): DurationSeries | undefined => {
    if (metric !== 'makespan') return seriesOf(cellId, metric);
    if (!makespanSeries.has(cellId)) {
      const makespansMs = metrics.get(cellId)?.makespansMs ?? [];
      const key = `${cellId}\u0000makespan-question`;
      makespanSeries.set(cellId, makespansMs.length === 0 ? undefined : buildDurationSeries(makespansMs, { seed: deriveSeed(seed, key), resamples: BOOTSTRAP_RESAMPLES }));
    }
    return makespanSeries.get(cellId);
  };
  const limits = summariseLimits(manifest, samples, new Map(failed.map(({ cellId, error }) => [cellId, error])));
  const totalSeriesOf = (cellId: string) => seriesOf(cellId, 'total');
  const ranking = rankCandidates({ manifest, cells, limits, failed, totalSeriesOf });
  const headline = buildHeadline(ranking, totalSeriesOf);
  // 10. The open-loop load experiment, when the matrix had one.
  const load = summariseLoadSamples(manifest, samples);
  // Keys in the Summary order, so the written summary reads the same way everywhere.
  return {
    schemaVersion: 1,
    matrixName: manifest.matrix.name,
    seed,
    bootstrap: { resamples: BOOTSTRAP_RESAMPLES, confidence: CONFIDENCE_LEVEL },
    // 6. Probes test a limit, not the life cycle: comparing them would only measure the probe.
    comparisons: compareCells(cells.filter((cell) => cell.probe === undefined), manifest.matrix.axes, seriesOf, CONFIDENCE_LEVEL),
    // 5.
    setup: summariseSetup(manifest, samples),
    cells,
    // 8.
    daemons: summariseDaemons(manifest, samples),
    // 9.
    limits,
    ...(adaptive !== undefined ? { adaptive } : {}),
    skipped,
    failed,
    setAsideLines,
    ...(load !== undefined ? { load } : {}),
    // 11.
    ...(manifest.matrix.questions !== undefined ? { questions: answerQuestions(manifest.matrix.questions, cells, metricSeriesOf) } : {}),
    ...(ranking !== undefined ? { ranking } : {}),
    ...(headline !== undefined ? { headline } : {}),
    sizeSlopes: sizeSlopes(manifest, cells, seriesOf),
    skippedByReason: groupSkips(manifest.cells),
  };
}

function totalOf(series: DurationSeries | undefined): Pick<CellSummary, 'total'> {
  if (!series) return {};
  const [ciLowMs, ciHighMs] = percentileInterval(series.bootstrapMediansMs, CONFIDENCE_LEVEL);
  return { total: { n: series.sortedMs.length, medianMs: series.medianMs, ciLowMs, ciHighMs } };
}

function summarisePhases(
  cellId: string,
  tally: CellTally | undefined,
  seriesOf: (cellId: string, phase: ComparedPhase) => DurationSeries | undefined,
): CellSummary['phases'] {
  const phases: CellSummary['phases'] = {};
  for (const phase of LIFECYCLE_PHASES) {
    const phaseTally = tally?.phases.get(phase);
    const series = seriesOf(cellId, phase);
    if (!phaseTally || !series) continue;
    phases[phase] = summarisePhase(phaseTally.durationsMs, phaseTally.errors, series);
  }
  return phases;
}

function summarisePhase(durationsMs: number[], errors: number, series: DurationSeries): PhaseStats {
  const stats = describeDurations(durationsMs);
  const [ciLowMs, ciHighMs] = percentileInterval(series.bootstrapMediansMs, CONFIDENCE_LEVEL);
  // Keys in the PhaseStats order, so the written summary reads the same way everywhere.
  return {
    n: stats.n,
    errors,
    medianMs: stats.medianMs,
    ciLowMs,
    ciHighMs,
    meanMs: stats.meanMs,
    stdDevMs: stats.stdDevMs,
    minMs: stats.minMs,
    maxMs: stats.maxMs,
    p25Ms: stats.p25Ms,
    p75Ms: stats.p75Ms,
    p95Ms: stats.p95Ms,
    p99Ms: stats.p99Ms,
    // Counted, never dropped: every statistic above includes them.
    outliers: countOutliers(durationsMs),
  };
}

/**
 * The first error the cell recorded, in file order (the order things happened): the first
 * failure is usually the cause, later ones its consequences. Setup steps and warm-ups count
 * here, because a cell whose volume never mounted fails before any phase runs. A setup step
 * is recorded once per group (its `cellId` is the group id), so the group's provision-volume
 * and start-runtime failures, and the import of the cell's own image, count for every cell
 * of the group.
 */
function firstError(samples: readonly Sample[], cell: Cell): string {
  const sample = samples.find((s) => !s.ok && (s.cellId === cell.id || concernsCell(s, cell)));
  if (!sample) return 'no measured sample was recorded';
  return sample.error ?? `${sample.phase} failed without an error message`;
}

function concernsCell(sample: Sample, cell: Cell): boolean {
  if (!(SETUP_STEPS as readonly string[]).includes(sample.phase) || sample.groupId !== cell.groupId) return false;
  return sample.phase !== 'import-image' || sample.image === cell.image;
}
