import { BOOTSTRAP_RESAMPLES, CONFIDENCE_LEVEL } from '../statistics/bootstrap.ts';
import { buildDurationSeries, compareSeries, isComparable } from '../analyse/compare-series.ts';
import { minReachablePValue } from '../statistics/mann-whitney.ts';
import { deriveSeed } from '../statistics/seeded-random.ts';
import { holmAdjust, isSignificant, SIGNIFICANCE_LEVEL } from '../statistics/significance.ts';
import { COMPARED_PHASES, durationsOf, tallyMeasuredSamples, type ComparedPhase } from '../analyse/tally-samples.ts';
import type { Manifest, Sample } from '../types.ts';
import { judgeChange, type CompareVerdict } from './judge-change.ts';

/** One results folder as `crbench compare` reads it (what pipeline/store's readResults returns). */
export interface RunResults {
  manifest: Manifest;
  samples: Sample[];
}

export interface CompareOptions {
  /** A slowdown (or speed-up) smaller than this, in percent of the baseline median, is no change. */
  thresholdPercent: number;
  /** Seeds the bootstrap; the same seed and folders give the same report. */
  seed: number;
}

/** One cell and phase of the two runs side by side. */
export interface CompareRow {
  cellId: string;
  phase: ComparedPhase;
  verdict: CompareVerdict;
  /**
   * For 'missing': the side(s) with fewer than 2 successful measured samples of this cell
   * and phase (the cell is absent from that run, was skipped or failed there, or measured
   * once). null otherwise.
   */
  missingIn: 'baseline' | 'candidate' | 'both' | null;
  /** Successful measured samples (complete repetitions for 'total'); 0 when absent. */
  baselineN: number;
  candidateN: number;
  /** null when that side has no successful sample. */
  baselineMedianMs: number | null;
  candidateMedianMs: number | null;
  /** median(candidate) / median(baseline) with its bootstrap CI; null for 'missing'. */
  ratio: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** Two-sided Mann-Whitney U p-value; null for 'missing'. */
  pValue: number | null;
  /** The p-value after Holm's adjustment over every compared row: what the verdict uses. */
  adjustedPValue: number | null;
  /** Cliff's delta of candidate against baseline; null for 'missing'. */
  effectSize: number | null;
  /**
   * The smallest two-sided Mann-Whitney p reachable at baselineN against candidateN
   * (complete separation, no ties: minReachablePValue); null for 'missing'.
   */
  minPValue: number | null;
  /**
   * That floor after Holm's adjustment over the floors of every compared row: the smallest
   * adjustedPValue this row could have had, reached when every compared row separates
   * completely (Holm's adjusted p-values only grow as any raw p grows). null for 'missing'.
   */
  minAdjustedPValue: number | null;
  /**
   * Whether a change of this row could have been detected at all: minAdjustedPValue below
   * the significance level. When false the row is 'untestable' unless it came out
   * significant anyway (only possible with tied values). null for 'missing'.
   */
  detectable: boolean | null;
}

/** Where a run came from, for the report's first line. */
export interface RunLabel {
  matrixName: string;
  gitCommit: string | null;
  startedAt: string;
}

export interface CompareReport {
  baseline: RunLabel;
  candidate: RunLabel;
  thresholdPercent: number;
  seed: number;
  bootstrap: { resamples: number; confidence: number };
  significanceLevel: number;
  /**
   * Host facts and tool versions that differ between the runs, as "what: baseline → candidate"
   * (e.g. "toolVersions.runc: runc version 1.1.5 → runc version 1.1.12"): a change found
   * between runs on different machines or tool versions may be caused by those.
   */
  differences: string[];
  /** Cells in the baseline's manifest order, then cells only the candidate has; phases in life-cycle order, 'total' last. */
  rows: CompareRow[];
  counts: Record<CompareVerdict, number>;
}

/**
 * `crbench compare <baseline> <candidate>`, the pure part: the two runs' cells matched by
 * cell id, each phase and the total (per-repetition sum of the five phases) compared the way
 * the summary compares two cells (compareSeries: ratio of medians with a bootstrap CI,
 * Mann-Whitney p, Cliff's δ), then judged by judgeChange against the threshold.
 *
 * ```
 * both runs ─1─▶ measured samples tallied per cell, phase and complete repetition
 *   ├─2─▶ cell ids: the baseline's manifest order, then those only the candidate lists
 *   ├─3─▶ per cell × (5 phases + total) that either side measured: both sides with ≥ 2
 *   │          positive durations → compared and judged; otherwise 'missing'
 *   ├─4─▶ per compared row: the smallest p its sizes allow, Holm-adjusted over all compared
 *   │          rows; below the level → detectable; then the verdict (judgeChange), where a
 *   │          row that is not significant and could not have been is 'untestable'
 *   └─5─▶ counts per verdict
 * ```
 *
 * A cell or phase that one run has and the other does not is a row with verdict 'missing'
 * and `missingIn` naming the side without it (also when that side has a single sample, or a
 * duration of 0, which cannot be compared); a cell neither run measured (skipped on both
 * hosts) gives no row. Each side draws its own bootstrap stream, seeded from
 * `options.seed`, the side, the cell id and the phase, so the two sides are resampled
 * independently even though they share cell ids.
 */
export function compareRuns(baseline: RunResults, candidate: RunResults, options: CompareOptions): CompareReport {
  const { thresholdPercent, seed } = options;
  if (!Number.isFinite(thresholdPercent) || thresholdPercent < 0) {
    throw new RangeError(`thresholdPercent must be a finite number ≥ 0, not ${thresholdPercent}`);
  }
  // 1.
  const sides = { baseline: tallyMeasuredSamples(baseline.samples), candidate: tallyMeasuredSamples(candidate.samples) };

  // 2.
  const cellIds = [...new Set([...baseline.manifest.cells, ...candidate.manifest.cells].map((cell) => cell.id))];

  // 3.
  const rows: CompareRow[] = [];
  const compared: { row: CompareRow; ciLow: number; ciHigh: number; ratio: number }[] = [];
  for (const cellId of cellIds)
    for (const phase of COMPARED_PHASES) {
      const series = (side: 'baseline' | 'candidate') => {
        const durationsMs = durationsOf(sides[side].get(cellId), phase);
        if (durationsMs.length === 0) return undefined;
        const sideSeed = deriveSeed(seed, `${side}\u0000${cellId}\u0000${phase}`);
        return buildDurationSeries(durationsMs, { seed: sideSeed, resamples: BOOTSTRAP_RESAMPLES });
      };
      const base = series('baseline');
      const cand = series('candidate');
      if (!base && !cand) continue;
      const sizes = {
        baselineN: base?.sortedMs.length ?? 0,
        candidateN: cand?.sortedMs.length ?? 0,
        baselineMedianMs: base?.medianMs ?? null,
        candidateMedianMs: cand?.medianMs ?? null,
      };
      if (!isComparable(base) || !isComparable(cand)) {
        const missingIn = !isComparable(base) && !isComparable(cand) ? 'both' : !isComparable(base) ? 'baseline' : 'candidate';
        const none = {
          ...{ ratio: null, ciLow: null, ciHigh: null, pValue: null, adjustedPValue: null, effectSize: null },
          ...{ minPValue: null, minAdjustedPValue: null, detectable: null },
        };
        rows.push({ cellId, phase, verdict: 'missing', missingIn, ...sizes, ...none });
        continue;
      }
      const { ratio, ciLow, ciHigh, pValue, effectSize } = compareSeries(base, cand, CONFIDENCE_LEVEL);
      const minPValue = minReachablePValue(sizes.baselineN, sizes.candidateN);
      const row: CompareRow = {
        ...{ cellId, phase, verdict: 'unchanged', missingIn: null, ...sizes, ratio, ciLow, ciHigh, pValue, adjustedPValue: null, effectSize },
        ...{ minPValue, minAdjustedPValue: null, detectable: null },
      };
      rows.push(row);
      compared.push({ row, ciLow, ciHigh, ratio });
    }
  // Judged together: many rows tested at once need their p-values adjusted (Holm).
  const adjusted = holmAdjust(compared.map(({ row }) => row.pValue as number));
  // 4.
  const floors = holmAdjust(compared.map(({ row }) => row.minPValue as number));
  compared.forEach(({ row, ciLow, ciHigh, ratio }, index) => {
    row.adjustedPValue = adjusted[index] as number;
    row.minAdjustedPValue = floors[index] as number;
    row.detectable = row.minAdjustedPValue < SIGNIFICANCE_LEVEL;
    const significant = isSignificant({ pValue: row.adjustedPValue, ciLow, ciHigh });
    row.verdict = judgeChange({ ratio, significant, detectable: row.detectable }, thresholdPercent);
  });

  // 5.
  const counts: Record<CompareVerdict, number> = { regressed: 0, improved: 0, unchanged: 0, untestable: 0, missing: 0 };
  for (const row of rows) counts[row.verdict]++;

  return {
    baseline: labelOf(baseline.manifest),
    candidate: labelOf(candidate.manifest),
    thresholdPercent,
    seed,
    bootstrap: { resamples: BOOTSTRAP_RESAMPLES, confidence: CONFIDENCE_LEVEL },
    significanceLevel: SIGNIFICANCE_LEVEL,
    differences: listDifferences(baseline.manifest, candidate.manifest),
    rows,
    counts,
  };
}

function labelOf(manifest: Manifest): RunLabel {
  return { matrixName: manifest.matrix.name, gitCommit: manifest.crbench.gitCommit, startedAt: manifest.startedAt };
}

const HOST_FACTS = ['cpuModel', 'cores', 'memoryBytes', 'kernel', 'distribution', 'cgroupMode'] as const;

function listDifferences(baseline: Manifest, candidate: Manifest): string[] {
  const differences: string[] = [];
  const note = (what: string, a: unknown, b: unknown) => {
    if (a !== b) differences.push(`${what}: ${a === undefined ? '(none)' : String(a)} → ${b === undefined ? '(none)' : String(b)}`);
  };
  for (const fact of HOST_FACTS) note(`host.${fact}`, baseline.host[fact], candidate.host[fact]);
  const tools = [...new Set([...Object.keys(baseline.toolVersions), ...Object.keys(candidate.toolVersions)])].sort();
  for (const tool of tools) note(`toolVersions.${tool}`, baseline.toolVersions[tool], candidate.toolVersions[tool]);
  return differences;
}

/** Whether any cell and phase got slower beyond the threshold, significantly: the nightly check's exit status. */
export function hasRegression(report: CompareReport): boolean {
  return report.counts.regressed > 0;
}
