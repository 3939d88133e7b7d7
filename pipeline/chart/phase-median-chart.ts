import type { TopLevelSpec } from 'vega-lite';
import { LIFECYCLE_PHASES, type CellSummary, type Summary } from '../types.ts';

/** One point of the chart: one phase of one cell. */
export interface PhaseMedianRow {
  phase: string;
  runtime: string;
  filesystem: string;
  /** The axes the chart does not spread out (driver, image, workload, concurrency). */
  variant: string;
  medianMs: number;
  ciLowMs: number;
  ciHighMs: number;
  n: number;
}

/** Serif-free and on every system that renders the SVG; Vega writes it as font-family. */
export const CHART_FONT = 'Helvetica, Arial, sans-serif';
const FACET_WIDTH_PX = 130;
const FACET_HEIGHT_PX = 220;

/**
 * Median of each life-cycle phase with its bootstrap 95% CI, per runtime (x) and filesystem
 * (colour, side by side), one panel per phase in life-cycle order. Each panel has its own
 * y scale: phases differ by an order of magnitude, and a shared scale would flatten the
 * short ones. When the cells differ in more than runtime and filesystem, each variant gets
 * a row of panels, so no two points are drawn on top of each other. The y axis starts at
 * zero so that the distance between two points reads as a ratio, the claim the chapter makes.
 */
export function phaseMedianChart(summary: Summary): TopLevelSpec {
  const rows = phaseMedianRows(summary);
  const variants = [...new Set(summary.cells.map(variantOf))];
  const runtimes = [...new Set(summary.cells.map((c) => c.runtime))];
  const filesystems = [...new Set(summary.cells.map((c) => c.filesystem))];

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Median duration of each life-cycle phase',
      subtitle: `${summary.matrixName}: error bars are bootstrap 95% confidence intervals of the median`,
    },
    data: { values: rows },
    facet: {
      column: {
        field: 'phase',
        type: 'nominal',
        sort: [...LIFECYCLE_PHASES],
        title: 'life-cycle phase',
        header: { labelFontSize: 12, labelFontWeight: 'bold' },
      },
      ...(variants.length > 1
        ? { row: { field: 'variant', type: 'nominal', sort: variants, title: 'driver · image · workload · concurrency' } }
        : {}),
    },
    spec: {
      width: FACET_WIDTH_PX,
      height: FACET_HEIGHT_PX,
      encoding: {
        x: { field: 'runtime', type: 'nominal', sort: runtimes, title: 'runtime', axis: { labelAngle: 0 } },
        xOffset: { field: 'filesystem', type: 'nominal', sort: filesystems },
        color: { field: 'filesystem', type: 'nominal', sort: filesystems, title: 'filesystem' },
      },
      layer: [
        {
          mark: { type: 'errorbar', ticks: true },
          encoding: {
            y: { field: 'ciLowMs', type: 'quantitative', title: 'median duration (ms)' },
            y2: { field: 'ciHighMs' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 45, opacity: 1 },
          encoding: {
            y: { field: 'medianMs', type: 'quantitative', title: 'median duration (ms)' },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    config: { font: CHART_FONT, view: { stroke: '#ddd' }, legend: { orient: 'right', symbolOpacity: 1 } },
  };
}

/** One row per cell × phase, phases in life-cycle order, cells in summary (plan) order. */
export function phaseMedianRows(summary: Summary): PhaseMedianRow[] {
  return LIFECYCLE_PHASES.flatMap((phase) =>
    summary.cells.flatMap((cell) => {
      const stats = cell.phases[phase];
      if (!stats) return [];
      return [
        {
          phase,
          runtime: cell.runtime,
          filesystem: cell.filesystem,
          variant: variantOf(cell),
          medianMs: stats.medianMs,
          ciLowMs: stats.ciLowMs,
          ciHighMs: stats.ciHighMs,
          n: stats.n,
        },
      ];
    }),
  );
}

function variantOf(cell: CellSummary): string {
  return `${cell.storageDriver} · ${cell.image} · ${cell.workload} · ×${cell.concurrency}`;
}
