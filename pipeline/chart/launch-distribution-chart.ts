import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import { asSpec, chartConfig } from './chart-style.ts';
import { fitsPage, groupInOrder, PADDING_PX, PANEL_HEADER_PX, panelFacet, panelWidthPx, splitToFit, unitWidthPx, type ChartPiece } from './page-fit.ts';
import { logTicks, lowestConcurrency, runtimeDriverFilesystem, uniqueInOrder, SHAPE_AXES, pieceLabel, varyingAxes, type VariantAxis } from './chart-data.ts';

export interface LaunchRow {
  configuration: string;
  filesystem: string;
  variant: string;
  n: number;
  minMs: number;
  medianMs: number;
  ciLowMs: number;
  ciHighMs: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  p25Ms: number;
  p75Ms: number;
}

const ROW_STEP_PX = 20;
/** Below the rows: the x axis and its title. */
const BELOW_PX = 40;

/**
 * How launch latency is spread, per runtime · driver · filesystem, fastest median first: a
 * box plot from the summary's order statistics — box from the first to the third quartile,
 * a line at the median, whiskers to the minimum and the maximum (not Tukey's 1.5 IQR: the
 * summary holds no single samples), and an open diamond at the 95th percentile, the tail a
 * grader waits for. Log scale: runtimes differ by orders of magnitude. One container at a
 * time; a panel per image, workload, shape and lever when they vary, with only its own rows,
 * packed into figures while they fit the page, one too tall alone split by filesystem, then
 * into runs of rows. No pieces when no cell measured a launch.
 */
export function launchDistributionChart(summary: Summary): ChartPiece[] {
  if (summary.cells.length === 0) return [];
  const concurrency = lowestConcurrency(summary.cells);
  const cells = summary.cells.filter((cell) => cell.concurrency === concurrency && cell.phases.launch);
  if (cells.length === 0) return [];
  const axes = varyingAxes(cells, ['image', 'workload', ...SHAPE_AXES] as VariantAxis[]);
  const rows: LaunchRow[] = cells.map((cell) => {
    const stats = cell.phases.launch!;
    return {
      configuration: runtimeDriverFilesystem(cell),
      filesystem: cell.filesystem,
      variant: pieceLabel(cell, axes),
      n: stats.n,
      minMs: stats.minMs,
      medianMs: stats.medianMs,
      ciLowMs: stats.ciLowMs,
      ciHighMs: stats.ciHighMs,
      p95Ms: stats.p95Ms,
      p99Ms: stats.p99Ms,
      maxMs: stats.maxMs,
      // A summary from before the quartiles were added draws its box as a line at the median.
      p25Ms: stats.p25Ms ?? stats.medianMs,
      p75Ms: stats.p75Ms ?? stats.medianMs,
    };
  });
  const variants = uniqueInOrder(rows.map((row) => row.variant));
  // Fastest median first, within each variant.
  rows.sort((a, b) => variants.indexOf(a.variant) - variants.indexOf(b.variant) || a.medianMs - b.medianMs || (a.configuration < b.configuration ? -1 : a.configuration > b.configuration ? 1 : 0));
  const panelOf = (some: readonly LaunchRow[]) => panelWidthPx(some.map((row) => row.configuration), { maxPx: 420, minPx: 200 });
  const size = (some: LaunchRow[]) => {
    const panels = groupInOrder(some, (row) => row.variant);
    return {
      width: unitWidthPx(some.map((row) => row.configuration), panelOf(some)),
      height: 2 * PADDING_PX + BELOW_PX + panels.reduce((sum, [, members]) => sum + new Set(members.map((row) => row.configuration)).size * ROW_STEP_PX + (panels.length > 1 ? PANEL_HEADER_PX : 0), 0),
    };
  };
  return splitToFit(rows, {
    groupBy: (row) => row.variant,
    packGroups: true,
    splitBy: (row) => row.filesystem,
    rowOf: (row) => row.configuration,
    fits: (some) => fitsPage(size(some).width, size(some).height),
  }).map((piece) => ({ suffix: piece.suffix, describe: piece.describe, spec: launchSpec(piece.items, panelOf(piece.items)) }));
}

function launchSpec(rows: readonly LaunchRow[], width: number): TopLevelSpec {
  const order = uniqueInOrder(rows.map((row) => row.configuration));
  const low = Math.min(...rows.map((row) => row.minMs)) / 1.25;
  const high = Math.max(...rows.map((row) => row.maxMs)) * 1.25;
  const x = {
    type: 'quantitative', title: 'launch duration (ms, log scale)',
    scale: { type: 'log', domain: [low, high], nice: false },
    axis: { values: logTicks(low, high), format: '~g' },
  } as const;
  const panels = uniqueInOrder(rows.map((row) => row.variant));
  const unit = {
    width,
    height: { step: ROW_STEP_PX },
    encoding: { y: { field: 'configuration', type: 'nominal', sort: order, title: null } },
    layer: [
      { mark: { type: 'rule', color: '#555', strokeWidth: 1 }, encoding: { x: { field: 'minMs', ...x }, x2: { field: 'maxMs' } } },
      { mark: { type: 'tick', color: '#555', thickness: 1, size: 8 }, encoding: { x: { field: 'minMs', ...x } } },
      { mark: { type: 'tick', color: '#555', thickness: 1, size: 8 }, encoding: { x: { field: 'maxMs', ...x } } },
      { mark: { type: 'bar', color: '#9ecae1', stroke: '#08519c', strokeWidth: 1, height: 12 }, encoding: { x: { field: 'p25Ms', ...x }, x2: { field: 'p75Ms' } } },
      { mark: { type: 'tick', color: '#08306b', thickness: 2.5, size: 12 }, encoding: { x: { field: 'medianMs', ...x } } },
      { mark: { type: 'point', shape: 'diamond', filled: false, color: '#D55E00', strokeWidth: 1.5, size: 40, opacity: 1 }, encoding: { x: { field: 'p95Ms', ...x } } },
    ],
  };
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    // One x scale (its domain is the piece's), each panel only its own rows.
    ...(panels.length > 1 ? { facet: panelFacet(panels, 'variant'), spacing: 10, spec: unit, resolve: { scale: { y: 'independent' } } } : unit),
    config: chartConfig(),
  });
}
