import type { TopLevelSpec } from 'vega-lite';
import { LIFECYCLE_PHASES, type CellSummary, type Summary } from '../types.ts';
import { runtimeDriverFilesystem, uniqueInOrder, SHAPE_AXES, pieceLabel, variantLabel, varyingAxes, type VariantAxis } from './chart-data.ts';
import { asSpec, categoryRange, chartConfig } from './chart-style.ts';
import { fitsPage, PADDING_PX, panelWidthPx, splitToFit, unitWidthPx, type ChartPiece } from './page-fit.ts';

/** One point of the chart: one phase of one cell. */
export interface PhaseMedianRow {
  phase: string;
  runtime: string;
  /** Runtime, storage driver and filesystem, what a row of the chart names. */
  configuration: string;
  filesystem: string;
  /** The axes that vary besides runtime, driver and filesystem (image, workload, concurrency). */
  variant: string;
  /** The same, as a figure's part is named (pieceLabel): what splits the figure. */
  part: string;
  medianMs: number;
  ciLowMs: number;
  ciHighMs: number;
  n: number;
}

const ROW_STEP_PX = 12;
/** Per phase panel: its header above (naming the unit), its x axis (labels only) below, the spacing to the next. */
const PANEL_EXTRA_PX = 18 + 22 + 10;
/** Below the last panel: the legend. */
const BELOW_PX = 40;
/** Few ticks, and thousands as "1.5k": a narrow panel has no room for "1,500". */
const AXIS_MS = {
  tickCount: 4,
  labelOverlap: true,
  labelExpr: "datum.value >= 1000 ? format(datum.value / 1000, '.3~g') + 'k' : format(datum.value, '.3~g')",
} as const;

/**
 * Median of each life-cycle phase with its bootstrap 95% CI, one row per runtime · storage
 * driver · filesystem (coloured by filesystem), one panel per phase in life-cycle order,
 * stacked. Each panel has its own x scale (phases differ by an order of magnitude, and a
 * shared scale would flatten the short ones) and its own rows (only the configurations
 * that measured the phase). Each combination of image, workload, shape, lever and
 * concurrency is a figure of its own, so no two points are drawn on top of each other;
 * one too tall for the page is split by filesystem, then into runs of rows. The x axis
 * starts at zero so that the distance between two points reads as a ratio, the claim the
 * chapter makes. No pieces without cells.
 */
export function phaseMedianChart(summary: Summary): ChartPiece[] {
  if (summary.cells.length === 0) return [];
  const rows = phaseMedianRows(summary);
  const panelOf = (some: readonly PhaseMedianRow[]) => panelWidthPx(some.map((row) => row.configuration), { maxPx: 400, minPx: 200 });
  const size = (some: PhaseMedianRow[]) => {
    const phases = new Set(some.map((row) => row.phase));
    const perPhase = [...phases].map((phase) => new Set(some.filter((row) => row.phase === phase).map((row) => row.configuration)).size);
    return {
      width: unitWidthPx(some.map((row) => row.configuration), panelOf(some)),
      height: 2 * PADDING_PX + perPhase.reduce((sum, n) => sum + n * ROW_STEP_PX + PANEL_EXTRA_PX, 0) + BELOW_PX,
    };
  };
  return splitToFit(rows, {
    groupBy: (row) => row.part,
    splitBy: (row) => row.filesystem,
    rowOf: (row) => row.configuration,
    fits: (some) => fitsPage(size(some).width, size(some).height),
  }).map((piece) => ({ suffix: piece.suffix, describe: piece.describe, spec: phaseMedianSpec(piece.items, panelOf(piece.items)) }));
}

/** The spec of one piece: its rows only. */
export function phaseMedianSpec(rows: readonly PhaseMedianRow[], width: number): TopLevelSpec {
  const filesystems = uniqueInOrder(rows.map((row) => row.filesystem));
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    facet: {
      row: {
        field: 'phase',
        type: 'nominal',
        sort: LIFECYCLE_PHASES.filter((phase) => rows.some((row) => row.phase === phase)),
        title: null,
        header: { labelExpr: "datum.value + ' median (ms)'", labelOrient: 'top', labelAngle: 0, labelAnchor: 'start', labelFontSize: 11, labelFontWeight: 'bold', labelPadding: 4 },
      },
    },
    spacing: 10,
    spec: {
      width,
      height: { step: ROW_STEP_PX },
      encoding: {
        y: { field: 'configuration', type: 'nominal', sort: uniqueInOrder(rows.map((row) => row.configuration)), title: null },
        color: {
          field: 'filesystem', type: 'nominal', sort: filesystems, title: 'filesystem', scale: categoryRange(filesystems.length),
          legend: { orient: 'bottom', direction: 'horizontal' },
        },
      },
      layer: [
        {
          mark: { type: 'errorbar', ticks: { size: 5 } },
          encoding: {
            x: { field: 'ciLowMs', type: 'quantitative', title: null, scale: { zero: true }, axis: AXIS_MS },
            x2: { field: 'ciHighMs' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 30, opacity: 1 },
          encoding: {
            x: { field: 'medianMs', type: 'quantitative', title: null, scale: { zero: true }, axis: AXIS_MS },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: chartConfig(),
  });
}

/** One row per cell × phase, phases in life-cycle order, cells in summary (plan) order. */
export function phaseMedianRows(summary: Summary): PhaseMedianRow[] {
  const axes = variantAxes(summary.cells);
  return LIFECYCLE_PHASES.flatMap((phase) =>
    summary.cells.flatMap((cell) => {
      const stats = cell.phases[phase];
      if (!stats) return [];
      return [
        {
          phase,
          runtime: cell.runtime,
          configuration: runtimeDriverFilesystem(cell),
          filesystem: cell.filesystem,
          variant: variantLabel(cell, axes),
          part: pieceLabel(cell, axes),
          medianMs: stats.medianMs,
          ciLowMs: stats.ciLowMs,
          ciHighMs: stats.ciHighMs,
          n: stats.n,
        },
      ];
    }),
  );
}

function variantAxes(cells: readonly CellSummary[]): VariantAxis[] {
  return varyingAxes(cells, ['image', 'workload', ...SHAPE_AXES, 'concurrency'] as VariantAxis[]);
}
