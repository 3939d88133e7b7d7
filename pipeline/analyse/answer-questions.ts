import { CONFIDENCE_LEVEL, percentileInterval } from '../statistics/bootstrap.ts';
import { holmAdjust, SIGNIFICANCE_LEVEL } from '../statistics/significance.ts';
import { stratifiedRankSumP } from '../statistics/stratified-rank-sum.ts';
import type { Axis, CellSelector, CellSummary, QuestionAnswer, QuestionSpec, QuestionVerdict } from '../types.ts';
import { isComparable, type DurationSeries } from './compare-series.ts';

/** A cell's series for a question's metric: a phase, the whole life cycle, or a batch's makespan. */
export type MetricSeriesOf = (cellId: string, metric: QuestionSpec['metric']) => DurationSeries | undefined;

/**
 * Within ±5 % of 1 and not significant: the two sides do the same, so a hypothesis that
 * one is faster is not supported (rather than merely untested).
 */
export const EQUIVALENCE_MARGIN = 0.05;

/**
 * The matrix's declared questions, answered as one family:
 *
 * 1. cells of each side (probes left out), paired on the question's `pairBy` axes;
 * 2. effect = geometric mean over the pairs of median(candidate) ÷ median(baseline), its CI
 *    the percentile interval of the same geometric mean over the series' bootstrap medians
 *    (drawn once per series from their own seeded streams, so resample r of two series is
 *    independent);
 * 3. p from a rank-sum test stratified by pair, Holm-adjusted across the declared questions;
 * 4. the verdict by the one significance rule (adjusted p < 0.05 and a CI that excludes 1),
 *    with a published factor: supported only when the CI lies beyond it.
 */
export function answerQuestions(questions: readonly QuestionSpec[], cells: readonly CellSummary[], seriesOf: MetricSeriesOf): QuestionAnswer[] {
  const measured = cells.filter((cell) => cell.probe === undefined);
  const raw = questions.map((question) => measureQuestion(question, measured, seriesOf));
  const testable = raw.flatMap((answer, index) => (answer.pValue !== undefined ? [index] : []));
  const adjusted = holmAdjust(testable.map((index) => raw[index]!.pValue!));
  const adjustedOf = new Map(testable.map((index, k) => [index, adjusted[k]!]));
  return raw.map((answer, index) => finish(questions[index]!, answer, adjustedOf.get(index)));
}

interface MeasuredQuestion {
  pairs: QuestionAnswer['pairs'];
  ratio: number;
  ciLow: number;
  ciHigh: number;
  pValue?: number;
  n: { baseline: number; candidate: number };
  note?: string;
}

function measureQuestion(question: QuestionSpec, cells: readonly CellSummary[], seriesOf: MetricSeriesOf): MeasuredQuestion {
  const baselines = cells.filter((cell) => matches(cell, question.baseline));
  const candidates = cells.filter((cell) => matches(cell, question.candidate));
  const pairs: { baseline: DurationSeries; candidate: DurationSeries; baselineCellId: string; candidateCellId: string }[] = [];
  for (const candidate of candidates) {
    const candidateSeries = seriesOf(candidate.cellId, question.metric);
    if (!isComparable(candidateSeries)) continue;
    for (const baseline of baselines) {
      if (baseline.cellId === candidate.cellId || !question.pairBy.every((axis) => String(baseline[axis]) === String(candidate[axis]))) continue;
      const baselineSeries = seriesOf(baseline.cellId, question.metric);
      if (!isComparable(baselineSeries)) continue;
      pairs.push({ baseline: baselineSeries, candidate: candidateSeries, baselineCellId: baseline.cellId, candidateCellId: candidate.cellId });
    }
  }
  if (pairs.length === 0) {
    const why = baselines.length === 0 || candidates.length === 0 ? `no ${baselines.length === 0 ? 'baseline' : 'candidate'} cell was measured` : 'no baseline and candidate cell agree on the paired axes';
    return { pairs: [], ratio: Number.NaN, ciLow: Number.NaN, ciHigh: Number.NaN, n: { baseline: 0, candidate: 0 }, note: why };
  }
  const logRatio = pairs.reduce((sum, pair) => sum + Math.log(pair.candidate.medianMs / pair.baseline.medianMs), 0) / pairs.length;
  const resamples = Math.min(...pairs.map((pair) => Math.min(pair.baseline.bootstrapMediansMs.length, pair.candidate.bootstrapMediansMs.length)));
  const replicates = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (const pair of pairs) sum += Math.log(pair.candidate.bootstrapMediansMs[r]! / pair.baseline.bootstrapMediansMs[r]!);
    replicates[r] = Math.exp(sum / pairs.length);
  }
  const [ciLow, ciHigh] = percentileInterval(replicates, CONFIDENCE_LEVEL);
  return {
    pairs: pairs.map((pair) => ({ baselineCellId: pair.baselineCellId, candidateCellId: pair.candidateCellId, ratio: pair.candidate.medianMs / pair.baseline.medianMs })),
    ratio: Math.exp(logRatio),
    ciLow,
    ciHigh,
    pValue: stratifiedRankSumP(pairs.map((pair) => ({ baseline: pair.baseline.sortedMs, candidate: pair.candidate.sortedMs }))),
    n: {
      baseline: Math.min(...pairs.map((pair) => pair.baseline.sortedMs.length)),
      candidate: Math.min(...pairs.map((pair) => pair.candidate.sortedMs.length)),
    },
  };
}

function finish(question: QuestionSpec, measured: MeasuredQuestion, pAdjusted: number | undefined): QuestionAnswer {
  const { verdict, note } =
    pAdjusted === undefined ? { verdict: 'inconclusive' as const, note: measured.note ?? 'nothing to compare' } : judge(question, measured, pAdjusted);
  return {
    id: question.id,
    title: question.title,
    hypothesis: question.hypothesis,
    metric: question.metric,
    expect: question.expect,
    ...(question.factor !== undefined ? { factor: question.factor } : {}),
    ...(question.source !== undefined ? { source: question.source } : {}),
    pairs: measured.pairs,
    ratio: measured.ratio,
    ciLow: measured.ciLow,
    ciHigh: measured.ciHigh,
    pValue: measured.pValue ?? Number.NaN,
    pAdjusted: pAdjusted ?? Number.NaN,
    verdict,
    ...(note !== undefined ? { note } : {}),
  };
}

/** The one rule, read in the hypothesis's direction. */
export function judge(
  question: Pick<QuestionSpec, 'expect' | 'factor'>,
  measured: Pick<MeasuredQuestion, 'ciLow' | 'ciHigh' | 'n'>,
  pAdjusted: number,
): { verdict: QuestionVerdict; note?: string } {
  const { ciLow, ciHigh } = measured;
  const faster = question.expect === 'faster';
  const significant = pAdjusted < SIGNIFICANCE_LEVEL && (ciLow > 1 || ciHigh < 1);
  const atN = `at n = ${measured.n.baseline} vs ${measured.n.candidate} per pair`;
  if (significant) {
    const expectedSide = faster ? ciHigh < 1 : ciLow > 1;
    if (!expectedSide) return { verdict: 'not supported', note: `the difference is significant, in the other direction` };
    if (question.factor === undefined) return { verdict: 'supported' };
    const beyond = faster ? ciHigh < question.factor : ciLow > question.factor;
    const short = faster ? ciLow > question.factor : ciHigh < question.factor;
    if (beyond) return { verdict: 'supported' };
    if (short) return { verdict: 'not supported', note: `the effect is real but smaller than the claimed ×${question.factor}` };
    return { verdict: 'inconclusive', note: `the interval includes the claimed ×${question.factor} ${atN}` };
  }
  if (ciLow >= 1 - EQUIVALENCE_MARGIN && ciHigh <= 1 + EQUIVALENCE_MARGIN) {
    return { verdict: 'not supported', note: `no difference: the interval lies within ±${Math.round(EQUIVALENCE_MARGIN * 100)} % of 1` };
  }
  if (question.factor !== undefined && (faster ? ciLow > question.factor : ciHigh < question.factor)) {
    return { verdict: 'not supported', note: `the interval excludes the claimed ×${question.factor}` };
  }
  return { verdict: 'inconclusive', note: `not significant ${atN}, Holm-adjusted p = ${pAdjusted.toPrecision(2)}` };
}

/** Whether a cell is on a side: every named axis takes one of the listed values. */
export function matches(cell: CellSummary, selector: CellSelector): boolean {
  return (Object.entries(selector) as [Axis, (string | number)[]][]).every(([axis, values]) => values.map(String).includes(String(cell[axis])));
}
