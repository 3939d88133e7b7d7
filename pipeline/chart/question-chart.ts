import type { TopLevelSpec } from 'vega-lite';
import { AXES, type Axis, type CellSummary, type QuestionAnswer, type QuestionVerdict, type Summary } from '../types.ts';
import { logTicks, SEP, uniqueInOrder } from './chart-data.ts';
import { asSpec, chartConfig } from './chart-style.ts';
import { labelWidthPx, maxHeightPx, PADDING_PX, panelWidthPx } from './page-fit.ts';

export interface QuestionRow {
  /** The pair's row label, "all pairs", or "<n> pairs" when each pair cannot have a row. */
  row: string;
  kind: 'pair' | 'all';
  ratio: number;
  /** The overall ratio's interval; null on a pair. */
  ciLow: number | null;
  ciHigh: number | null;
  /** Written after the overall bar: "0.62×". */
  text: string | null;
}

export const ALL_PAIRS = 'all pairs';
/** More pairs than this share one row of ticks: the figure stays short. */
export const MAX_PAIR_ROWS = 16;
/** A row label longer than this is cut in its middle. */
const MAX_LABEL_CHARS = 40;
const ROW_STEP_PX = 22;
const BELOW_PX = 45;
const TEXT_ROOM_PX = 60;

const VERDICT_COLOURS: Record<QuestionVerdict, string> = { supported: '#009E73', 'not supported': '#D55E00', inconclusive: '#999999' };

/** The measured ratios of a question: finite and above zero, the only ones a log axis can show. */
function usable(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

/**
 * A declared question answered: each pair of cells's ratio (candidate ÷ baseline) as a dot,
 * one row per pair labelled by what tells the pairs apart (more than MAX_PAIR_ROWS pairs
 * share one row of ticks), the overall ratio (the geometric mean over the pairs) with its
 * bootstrap CI as a bar in a row "all pairs", coloured by the verdict; a vertical rule at 1
 * (no difference) and, when the hypothesis names a factor, a dashed rule there. Log x axis:
 * 0.5 and 2 are as far from 1. Undefined when no pair was measured.
 */
export function questionChart(summary: Summary, question: QuestionAnswer): TopLevelSpec | undefined {
  const rows = questionRows(summary, question);
  if (!rows.some((row) => row.kind === 'pair')) return undefined;
  const order = [...uniqueInOrder(rows.filter((row) => row.kind === 'pair').map((row) => row.row)), ...(rows.some((row) => row.kind === 'all') ? [ALL_PAIRS] : [])];
  const values = [
    1,
    ...(question.factor !== undefined && usable(question.factor) ? [question.factor] : []),
    ...rows.flatMap((row) => [row.ratio, row.ciLow ?? row.ratio, row.ciHigh ?? row.ratio]).filter(usable),
  ];
  const low = Math.min(...values) / 1.15;
  const high = Math.max(...values) * 1.15;
  const x = {
    type: 'quantitative', title: `${metricWords(question.metric)}: candidate ÷ baseline (log scale)`,
    scale: { type: 'log', domain: [low, high], nice: false },
    axis: { values: logTicks(low, high), format: '~g' },
  } as const;
  const y = { field: 'row', type: 'nominal', sort: order, title: null } as const;
  const verdictColour = VERDICT_COLOURS[question.verdict] ?? '#999999';
  const width = panelWidthPx(order, { reservedPx: TEXT_ROOM_PX, maxPx: 380, minPx: 200 });
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    width,
    height: { step: ROW_STEP_PX },
    // The rules span the plot: only the data layers take the row as y.
    layer: [
      { mark: { type: 'rule', color: '#444', strokeWidth: 1 }, encoding: { x: { datum: 1, ...x } } },
      ...(question.factor !== undefined && usable(question.factor)
        ? [{ mark: { type: 'rule', color: '#D55E00', strokeWidth: 1.5, strokeDash: [5, 3] }, encoding: { x: { datum: question.factor, ...x } } }]
        : []),
      {
        transform: [{ filter: "datum.kind === 'all'" }],
        mark: { type: 'bar', height: { band: 0.55 }, color: verdictColour, opacity: 0.45 },
        encoding: { y, x: { field: 'ciLow', ...x }, x2: { field: 'ciHigh' } },
      },
      {
        transform: [{ filter: "datum.kind === 'all'" }],
        mark: { type: 'tick', color: verdictColour, thickness: 3, size: ROW_STEP_PX * 0.7 },
        encoding: { y, x: { field: 'ratio', ...x } },
      },
      {
        transform: [{ filter: "datum.kind === 'all'" }],
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 6, fontSize: 11, color: '#222' },
        encoding: { y, x: { field: 'ciHigh', ...x }, text: { field: 'text', type: 'nominal' } },
      },
      {
        transform: [{ filter: "datum.kind === 'pair'" }],
        mark: sharesOneRow(rows)
          ? { type: 'tick', color: '#0072B2', thickness: 1.5, size: ROW_STEP_PX * 0.6, opacity: 0.8 }
          : { type: 'point', filled: true, size: 45, color: '#0072B2', opacity: 1 },
        encoding: { y, x: { field: 'ratio', ...x } },
      },
    ],
    config: chartConfig(),
  });
}

/** Whether the pairs were too many for a row each, and share one row of ticks. */
function sharesOneRow(rows: readonly QuestionRow[]): boolean {
  const pairs = rows.filter((row) => row.kind === 'pair');
  return new Set(pairs.map((row) => row.row)).size < pairs.length;
}

/** The rows of a question's figure: its pairs (ratio above zero), then the overall ratio with its CI. */
export function questionRows(summary: Summary, question: QuestionAnswer): QuestionRow[] {
  const pairs = question.pairs.filter((pair) => usable(pair.ratio));
  if (pairs.length === 0) return [];
  const labels = pairLabels(summary, pairs.map((pair) => pair.candidateCellId));
  const tooMany = pairs.length > MAX_PAIR_ROWS || pairs.length > maxPairRows(labels);
  const pairRows: QuestionRow[] = pairs
    .map((pair, index) => ({ row: tooMany ? `${pairs.length} pairs` : labels[index]!, kind: 'pair' as const, ratio: pair.ratio, ciLow: null, ciHigh: null, text: null }))
    .sort((a, b) => a.ratio - b.ratio || (a.row < b.row ? -1 : a.row > b.row ? 1 : 0));
  const overall: QuestionRow[] = usable(question.ratio)
    ? [{
        row: ALL_PAIRS, kind: 'all', ratio: question.ratio,
        ciLow: usable(question.ciLow) ? question.ciLow : question.ratio,
        ciHigh: usable(question.ciHigh) ? question.ciHigh : question.ratio,
        text: `${formatRatio(question.ratio)}×`,
      }]
    : [];
  return [...pairRows, ...overall];
}

/** As many pair rows as keep the figure (with its "all pairs" row) within 1.5 times its width. */
function maxPairRows(labels: readonly string[]): number {
  const all = [...labels, ALL_PAIRS];
  const width = 2 * PADDING_PX + labelWidthPx(all) + 12 + panelWidthPx(all, { reservedPx: TEXT_ROOM_PX, maxPx: 380, minPx: 200 }) + TEXT_ROOM_PX;
  return Math.floor((maxHeightPx(width) - 2 * PADDING_PX - BELOW_PX) / ROW_STEP_PX) - 1;
}

/**
 * What tells the pairs apart, from the candidate cells: the values of the axes that vary
 * among them ("overlay · xfs · command"); from the ids' differing parts when a cell is not
 * in the summary; the id itself for a single pair. Cut in the middle beyond MAX_LABEL_CHARS,
 * and numbered where two would read the same.
 */
export function pairLabels(summary: Pick<Summary, 'cells'>, candidateCellIds: readonly string[]): string[] {
  const byId = new Map(summary.cells.map((cell) => [cell.cellId, cell]));
  const cells = candidateCellIds.map((id) => byId.get(id));
  let labels: string[];
  if (cells.every((cell): cell is CellSummary => cell !== undefined)) {
    const varying = AXES.filter((axis) => new Set(cells.map((cell) => String(cell[axis]))).size > 1);
    labels = cells.map((cell) => varying.map((axis) => axisValue(cell, axis)).join(SEP));
  } else {
    const parts = candidateCellIds.map((id) => id.split('.'));
    const length = parts[0]?.length ?? 0;
    labels = parts.every((segments) => segments.length === length)
      ? parts.map((segments) => segments.filter((_, i) => new Set(parts.map((other) => other[i])).size > 1).join(SEP))
      : [...candidateCellIds];
  }
  labels = labels.map((label, index) => shorten(label === '' ? candidateCellIds[index]! : label));
  const seen = new Map<string, number>();
  return labels.map((label) => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count > 1 ? `${label} (${count})` : label;
  });
}

function axisValue(cell: CellSummary, axis: Axis): string {
  if (axis === 'concurrency') return `N=${cell.concurrency}`;
  if (axis === 'netns' || axis === 'cgroup') return `${axis} ${cell[axis]}`;
  return String(cell[axis]);
}

function shorten(label: string): string {
  if (label.length <= MAX_LABEL_CHARS) return label;
  const keep = Math.floor((MAX_LABEL_CHARS - 1) / 2);
  return `${label.slice(0, keep)}…${label.slice(label.length - keep)}`;
}

function formatRatio(ratio: number): string {
  return ratio >= 100 ? ratio.toFixed(0) : ratio.toPrecision(3);
}

function metricWords(metric: QuestionAnswer['metric']): string {
  if (metric === 'total') return 'total life-cycle time';
  if (metric === 'makespan') return 'batch makespan';
  return `${metric} time`;
}

/** The caption of a question's figure: the question, what is drawn, and the answer in numbers. */
export function questionCaption(summary: Summary, question: QuestionAnswer): string {
  const confidence = Math.round(summary.bootstrap.confidence * 100);
  const pairs = question.pairs.filter((pair) => usable(pair.ratio)).length;
  const each = pairs > MAX_PAIR_ROWS ? `each tick one of the ${pairs} pairs of cells` : `each dot one pair of cells (${pairs === 1 ? 'one pair' : `${pairs} pairs`})`;
  const overall = usable(question.ratio)
    ? ` The bar is the geometric mean over the pairs, ${formatRatio(question.ratio)}× (${confidence}% CI ${formatRatio(question.ciLow)}–${formatRatio(question.ciHigh)}): ${question.verdict}.`
    : '';
  return (
    `${question.title} ${question.hypothesis} Candidate ÷ baseline on the ${metricWords(question.metric)}, log scale, ${each}; ` +
    `the vertical line is 1 (no difference)${question.factor !== undefined ? `, the dashed one the claimed ${question.factor}×` : ''}.` +
    overall
  );
}
