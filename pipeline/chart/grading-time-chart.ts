import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import { asSpec, chartConfig } from './chart-style.ts';
import { lowestConcurrency, runtimeDriverFilesystem, SEP, SHAPE_AXES, uniqueInOrder, variantLabel, varyingAxes, type VariantAxis } from './chart-data.ts';
import { fitsPage, groupInOrder, PADDING_PX, panelWidthPx, splitToFit, unitWidthPx, type ChartPiece } from './page-fit.ts';

export interface GradingRow {
  workload: string;
  /** The panel the row is drawn in: the workload, and the shape or lever when they vary. */
  panel: string;
  configuration: string;
  filesystem: string;
  image: string;
  medianMs: number;
  ciLowMs: number;
  ciHighMs: number;
}

const ROW_STEP_PX = 16;
/** Per workload panel: its header above, its x axis (labels only) below, the spacing to the next. */
const PANEL_EXTRA_PX = 18 + 22 + 10;

/**
 * Grading time: the median of the execute phase (the grader's command, run through the
 * runtime's exec) with its 95% CI, per runtime · storage driver · filesystem, one panel
 * per workload (and shape or lever, when they vary) stacked, each with its own x scale and
 * only its own rows; noop is included as the runtime's bare exec cost. Panels are packed
 * into figures as long as they fit the page. One container at a time; each workload on the
 * largest image it was measured with (a grader needs its toolchain). Drawn once a workload
 * other than noop was measured; no pieces before.
 */
export function gradingTimeChart(summary: Summary): ChartPiece[] {
  if (summary.cells.length === 0) return [];
  const concurrency = lowestConcurrency(summary.cells);
  const cells = summary.cells.filter((cell) => cell.concurrency === concurrency && cell.phases.execute);
  const workloads = uniqueInOrder(cells.map((cell) => cell.workload));
  if (!workloads.some((workload) => workload !== 'noop')) return [];
  // The image each workload is shown with: the one listed last among those it ran on
  // (matrices list the small image first), so that noop and a grader share an image.
  const images = uniqueInOrder(cells.map((cell) => cell.image));
  const gradingImage = images.filter((image) => cells.some((cell) => cell.image === image && cell.workload !== 'noop')).at(-1);
  const imageOf = (workload: string) => {
    const ran = images.filter((image) => cells.some((cell) => cell.workload === workload && cell.image === image));
    return gradingImage !== undefined && ran.includes(gradingImage) ? gradingImage : ran.at(-1);
  };
  const shown = cells.filter((cell) => cell.image === imageOf(cell.workload));
  const shapeAxes = varyingAxes(shown, [...SHAPE_AXES] as VariantAxis[]);
  const rows: GradingRow[] = shown.map((cell) => {
    const stats = cell.phases.execute!;
    return {
      workload: cell.workload,
      panel: [cell.workload, ...(shapeAxes.length > 0 ? [variantLabel(cell, shapeAxes)] : [])].join(SEP),
      configuration: runtimeDriverFilesystem(cell),
      filesystem: cell.filesystem,
      image: cell.image,
      medianMs: stats.medianMs,
      ciLowMs: stats.ciLowMs,
      ciHighMs: stats.ciHighMs,
    };
  });
  rows.sort((a, b) => workloads.indexOf(a.workload) - workloads.indexOf(b.workload));
  const panelOf = (some: readonly GradingRow[]) => panelWidthPx(some.map((row) => row.configuration), { maxPx: 400, minPx: 200 });
  const size = (some: GradingRow[]) => {
    const panels = groupInOrder(some, (row) => row.panel);
    return {
      width: unitWidthPx(some.map((row) => row.configuration), panelOf(some)),
      height: 2 * PADDING_PX + panels.reduce((sum, [, members]) => sum + new Set(members.map((row) => row.configuration)).size * ROW_STEP_PX + PANEL_EXTRA_PX, 0),
    };
  };
  return splitToFit(rows, {
    groupBy: (row) => row.panel,
    packGroups: true,
    rowOf: (row) => `${row.panel}\u0000${row.configuration}`,
    fits: (some) => fitsPage(size(some).width, size(some).height),
  }).map((piece) => ({ suffix: piece.suffix, describe: piece.describe, spec: gradingSpec(piece.items, panelOf(piece.items)) }));
}

function gradingSpec(rows: readonly GradingRow[], width: number): TopLevelSpec {
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    facet: {
      row: {
        field: 'panel', type: 'nominal', sort: uniqueInOrder(rows.map((row) => row.panel)), title: null,
        header: { labelExpr: "datum.value + ': median execute (ms)'", labelOrient: 'top', labelAngle: 0, labelAnchor: 'start', labelFontSize: 11, labelFontWeight: 'bold', labelPadding: 4 },
      },
    },
    spacing: 10,
    spec: {
      width,
      height: { step: ROW_STEP_PX },
      encoding: {
        y: { field: 'configuration', type: 'nominal', sort: uniqueInOrder(rows.map((row) => row.configuration)), title: null },
      },
      layer: [
        { mark: { type: 'bar', color: '#0072B2', opacity: 0.85, height: { band: 0.75 } }, encoding: { x: { field: 'medianMs', type: 'quantitative', title: null, axis: { tickCount: 5, format: '~s' } } } },
        {
          mark: { type: 'errorbar', ticks: { size: 5 }, color: '#222' },
          encoding: { x: { field: 'ciLowMs', type: 'quantitative', title: null }, x2: { field: 'ciHighMs' } },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: chartConfig(),
  });
}
