import { holmAdjust, isSignificant } from '../statistics/significance.ts';
import { AXES, type Axis, type CellSummary, type Comparison, type Matrix } from '../types.ts';
import { compareSeries, isComparable, type DurationSeries } from './compare-series.ts';
import { COMPARED_PHASES, type ComparedPhase } from './tally-samples.ts';

/** Two cells that differ in exactly one axis, oriented: the baseline's value comes first in the matrix. */
export interface CellPair {
  axis: Axis;
  baseline: CellSummary;
  candidate: CellSummary;
}

/**
 * The pairs of cells that differ in exactly one axis: "crun against runc, all else equal".
 * Cells that differ in two axes are not compared, since a difference between them has no
 * single cause. That also bounds the count: with k_a values on axis a, each cell has
 * Σ(k_a − 1) partners, so a full matrix of N cells gives N·Σ(k_a − 1)/2 pairs (1,100 for
 * 200 cells over axes of 2, 2, 5, 2, 5 and 1 values), never N².
 *
 * Baseline: the cell whose value on the differing axis comes first in
 * `manifest.matrix.axes[axis]` (a value the matrix does not list comes after the listed
 * ones, by name). Each pair appears once. Order: axes in AXES order, then the baseline's
 * position in `cells`, then the candidate's.
 */
export function pairCells(cells: readonly CellSummary[], axes: Matrix['axes']): CellPair[] {
  const position = new Map(cells.map((cell, index) => [cell.cellId, index]));
  const pairs: CellPair[] = [];
  for (const axis of AXES) {
    // Cells agreeing on every other axis fall in one bucket; within it, any two differ in `axis` only.
    const buckets = new Map<string, CellSummary[]>();
    for (const cell of cells) {
      const key = JSON.stringify(AXES.filter((other) => other !== axis).map((other) => cell[other]));
      const bucket = buckets.get(key);
      if (bucket) bucket.push(cell);
      else buckets.set(key, [cell]);
    }
    const listed: readonly (string | number)[] = axes[axis];
    const rank = (cell: CellSummary) => {
      const index = listed.indexOf(cell[axis]);
      return index === -1 ? Number.MAX_SAFE_INTEGER : index;
    };
    const axisPairs: CellPair[] = [];
    for (const bucket of buckets.values())
      for (let i = 0; i < bucket.length; i++)
        for (let j = i + 1; j < bucket.length; j++) {
          const a = bucket[i]!;
          const b = bucket[j]!;
          const order = rank(a) - rank(b) || compareText(String(a[axis]), String(b[axis]));
          // Two cells with the same values everywhere are the same configuration, not a pair.
          if (order === 0) continue;
          axisPairs.push(order < 0 ? { axis, baseline: a, candidate: b } : { axis, baseline: b, candidate: a });
        }
    axisPairs.sort(
      (p, q) =>
        position.get(p.baseline.cellId)! - position.get(q.baseline.cellId)! ||
        position.get(p.candidate.cellId)! - position.get(q.candidate.cellId)!,
    );
    pairs.push(...axisPairs);
  }
  return pairs;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One Comparison per pair (pairCells) and phase that both cells measured successfully at
 * least twice, then 'total' (per-repetition sums of the five phases). `seriesOf` gives a
 * cell's durations with their bootstrap medians; pairs × phases stay in pair order, phases
 * in life-cycle order with 'total' last.
 */
export function compareCells(
  cells: readonly CellSummary[],
  axes: Matrix['axes'],
  seriesOf: (cellId: string, phase: ComparedPhase) => DurationSeries | undefined,
  confidence?: number,
): Comparison[] {
  const comparisons: Omit<Comparison, 'pAdjusted' | 'significant'>[] = [];
  for (const { axis, baseline, candidate } of pairCells(cells, axes))
    for (const phase of COMPARED_PHASES) {
      const base = seriesOf(baseline.cellId, phase);
      const cand = seriesOf(candidate.cellId, phase);
      if (!isComparable(base) || !isComparable(cand)) continue;
      const result = compareSeries(base, cand, confidence);
      comparisons.push({
        phase,
        axis,
        baselineCellId: baseline.cellId,
        candidateCellId: candidate.cellId,
        baselineValue: String(baseline[axis]),
        candidateValue: String(candidate[axis]),
        ratio: result.ratio,
        ciLow: result.ciLow,
        ciHigh: result.ciHigh,
        pValue: result.pValue,
        effectSize: result.effectSize,
      });
    }
  // Every comparison of the run is one exploratory family: Holm-adjusted together, and
  // "significant" is the one rule on the adjusted p. Unadjusted, a run of 2,000 comparisons
  // would flag about 100 by chance.
  const adjusted = holmAdjust(comparisons.map((comparison) => comparison.pValue));
  return comparisons.map((comparison, index) => {
    const { pValue, effectSize, ...rest } = comparison;
    const pAdjusted = adjusted[index]!;
    return { ...rest, pValue, pAdjusted, effectSize, significant: isSignificant({ pValue: pAdjusted, ciLow: comparison.ciLow, ciHigh: comparison.ciHigh }) };
  });
}
