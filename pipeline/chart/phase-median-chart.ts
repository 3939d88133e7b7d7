import type { TopLevelSpec } from 'vega-lite';
import { LIFECYCLE_PHASES, type CellSummary, type Summary } from '../types.ts';
import { runtimeDriver, uniqueInOrder, SHAPE_AXES, variantLabel, varyingAxes, type VariantAxis } from './chart-data.ts';
import { asSpec, categoryRange, chartConfig } from './chart-style.ts';

/** One point of the chart: one phase of one cell. */
export interface PhaseMedianRow {
  phase: string;
  runtime: string;
  /** Runtime and storage driver, what a row of the chart names. */
  configuration: string;
  filesystem: string;
  /** The axes that vary besides runtime, driver and filesystem (image, workload, concurrency). */
  variant: string;
  medianMs: number;
  ciLowMs: number;
  ciHighMs: number;
  n: number;
}

const PANEL_WIDTH_PX = 115;
const ROW_STEP_PX = 12;
/** Few ticks, and thousands as "1.5k": a narrow panel has no room for "1,500". */
const AXIS_MS = {
  tickCount: 4,
  labelOverlap: true,
  labelExpr: "datum.value >= 1000 ? format(datum.value / 1000, '.3~g') + 'k' : format(datum.value, '.3~g')",
} as const;

/**
 * Median of each life-cycle phase with its bootstrap 95% CI, one row per runtime · storage
 * driver with a point per filesystem (colour, side by side), one panel per phase in
 * life-cycle order. Each panel has its own x scale: phases differ by an order of
 * magnitude, and a shared scale would flatten the short ones. When the cells differ in
 * image, workload or concurrency, each combination gets a row of panels, so no two points
 * are drawn on top of each other. The x axis starts at zero so that the distance between
 * two points reads as a ratio, the claim the chapter makes. Undefined without cells.
 */
export function phaseMedianChart(summary: Summary): TopLevelSpec | undefined {
  if (summary.cells.length === 0) return undefined;
  const rows = phaseMedianRows(summary);
  const variants = uniqueInOrder(rows.map((row) => row.variant));
  const filesystems = uniqueInOrder(summary.cells.map((c) => c.filesystem));
  const axes = variantAxes(summary.cells);

  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Median duration of each life-cycle phase',
      subtitle: [
        `${summary.matrixName}: error bars are bootstrap 95% confidence intervals of the median; each panel has its own scale`,
        ...(variants.length > 1 ? [`one row of panels per ${axes.join(' · ')}`] : []),
      ],
    },
    data: { values: rows },
    facet: {
      column: {
        field: 'phase',
        type: 'nominal',
        sort: [...LIFECYCLE_PHASES],
        title: null,
        header: { labelFontSize: 12, labelFontWeight: 'bold' },
      },
      // Row labels across, one axis value per line: set sideways they outgrow a short row.
      ...(variants.length > 1
        ? {
            row: {
              field: 'variant', type: 'nominal', sort: variants, title: null,
              header: { labelAngle: 0, labelAlign: 'left', labelExpr: "split(datum.value, ' · ')", labelFontWeight: 'bold', labelFontSize: 11 },
            },
          }
        : {}),
    },
    spec: {
      width: PANEL_WIDTH_PX,
      height: { step: ROW_STEP_PX },
      encoding: {
        y: { field: 'configuration', type: 'nominal', sort: uniqueInOrder(rows.map((row) => row.configuration)), title: null },
        yOffset: { field: 'filesystem', type: 'nominal', sort: filesystems },
        color: {
          field: 'filesystem', type: 'nominal', sort: filesystems, title: 'filesystem', scale: categoryRange(filesystems.length),
          legend: { orient: 'bottom', direction: 'horizontal' },
        },
      },
      layer: [
        {
          mark: { type: 'errorbar', ticks: { size: 5 } },
          encoding: {
            x: { field: 'ciLowMs', type: 'quantitative', title: 'median (ms)', scale: { zero: true }, axis: AXIS_MS },
            x2: { field: 'ciHighMs' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 36, opacity: 1 },
          encoding: {
            x: { field: 'medianMs', type: 'quantitative', title: 'median (ms)', scale: { zero: true }, axis: AXIS_MS },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
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
          configuration: runtimeDriver(cell),
          filesystem: cell.filesystem,
          variant: variantLabel(cell, axes),
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
