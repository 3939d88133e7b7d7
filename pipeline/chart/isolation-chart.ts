import type { TopLevelSpec } from 'vega-lite';
import { ISOLATION_LIMITS, LIMIT_VERDICTS, type LimitVerdict, type Summary } from '../types.ts';
import { asSpec, chartConfig } from './chart-style.ts';
import { runtimeDriverFilesystem, uniqueInOrder } from './chart-data.ts';
import { fitsPage, labelWidthPx, PADDING_PX, splitToFit, type ChartPiece } from './page-fit.ts';

export interface IsolationRow {
  configuration: string;
  limit: string;
  verdict: LimitVerdict;
  /** The tile's words, a line each: the verdict and how many repetitions the probe had. */
  label: string[];
}

/** What each verdict is called in the legend and on a tile, its colour (Okabe–Ito) and the colour of its words. */
const VERDICT_STYLE: Record<LimitVerdict, { words: string; tile: string; fill: string; ink: string }> = {
  enforced: { words: 'enforced', tile: 'enforced', fill: '#009E73', ink: 'white' },
  'enforced-sandbox-killed': { words: 'enforced (sandbox killed)', tile: 'sandbox killed', fill: '#56B4E9', ink: 'black' },
  'not-enforced': { words: 'NOT enforced', tile: 'NOT enforced', fill: '#D55E00', ink: 'white' },
  unknown: { words: 'could not tell', tile: 'could not tell', fill: '#F0E442', ink: 'black' },
  'not-run': { words: 'not run', tile: 'not run', fill: '#dddddd', ink: 'black' },
};

const TILE_WIDTH_PX = 100;
const TILE_HEIGHT_PX = 34;
/** Above the tiles the limits; below, the verdict legend. */
const ABOVE_PX = 22;
const BELOW_PX = 70;

/**
 * Which limits each configuration enforces: a tile per runtime · driver · filesystem and
 * limit (memory, pids, network), coloured by the isolation probes' verdict, with the number
 * of repetitions behind it. Configurations none of whose probes ran (a driver of another
 * runtime, a filesystem the host lacks) are left to the table, which gives their reasons:
 * as rows here they would bury the ones that ran. Too many rows for the page are split
 * into runs. No pieces when no probe ran.
 */
export function isolationChart(summary: Summary): ChartPiece[] {
  const ran = new Set((summary.limits ?? []).filter((limit) => limit.verdict !== 'not-run').map(runtimeDriverFilesystem));
  const limits = (summary.limits ?? []).filter((limit) => ran.has(runtimeDriverFilesystem(limit)));
  if (limits.length === 0) return [];
  const rows: IsolationRow[] = limits.map((limit) => ({
    configuration: runtimeDriverFilesystem(limit),
    limit: limit.limit,
    verdict: limit.verdict,
    label: [VERDICT_STYLE[limit.verdict].tile, ...(limit.n > 0 ? [`n = ${limit.n}`] : [])],
  }));
  const verdicts = LIMIT_VERDICTS.filter((verdict) => rows.some((row) => row.verdict === verdict));
  const size = (some: IsolationRow[]) => ({
    width: 2 * PADDING_PX + labelWidthPx(some.map((row) => row.configuration)) + 12 + new Set(some.map((row) => row.limit)).size * TILE_WIDTH_PX,
    height: 2 * PADDING_PX + ABOVE_PX + new Set(some.map((row) => row.configuration)).size * TILE_HEIGHT_PX + BELOW_PX,
  });
  return splitToFit(rows, { rowOf: (row) => row.configuration, fits: (some) => fitsPage(size(some).width, size(some).height) }).map((piece) => ({
    suffix: piece.suffix,
    describe: piece.describe,
    spec: isolationSpec(piece.items, verdicts),
  }));
}

function isolationSpec(rows: readonly IsolationRow[], verdicts: readonly LimitVerdict[]): TopLevelSpec {
  const configurations = uniqueInOrder(rows.map((row) => row.configuration));
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    width: { step: TILE_WIDTH_PX },
    height: { step: TILE_HEIGHT_PX },
    encoding: {
      x: { field: 'limit', type: 'nominal', sort: ISOLATION_LIMITS, title: null, axis: { orient: 'top', labelAngle: 0, domain: false, ticks: false, labelFontWeight: 'bold' } },
      y: { field: 'configuration', type: 'nominal', sort: configurations, title: null, axis: { domain: false, ticks: false } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          color: {
            field: 'verdict', type: 'nominal', title: 'verdict', sort: verdicts,
            scale: { domain: verdicts, range: verdicts.map((verdict) => VERDICT_STYLE[verdict].fill) },
            legend: { orient: 'bottom', direction: 'horizontal', columns: 3, labelExpr: `{${LIMIT_VERDICTS.map((v) => `'${v}': '${VERDICT_STYLE[v].words}'`).join(', ')}}[datum.label]` },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11, lineHeight: 13 },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          color: { field: 'verdict', type: 'nominal', scale: { domain: verdicts, range: verdicts.map((verdict) => VERDICT_STYLE[verdict].ink) }, legend: null },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config: { ...chartConfig(), view: { stroke: null } },
  });
}
