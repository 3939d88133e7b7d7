import type { TopLevelSpec } from 'vega-lite';
import { LIFECYCLE_PHASES, type Summary } from '../types.ts';
import { asSpec, chartConfig, formatChartMs, PHASE_COLOURS } from './chart-style.ts';
import { fitsPage, groupInOrder, PADDING_PX, PANEL_HEADER_PX, panelFacet, panelWidthPx, splitToFit, unitWidthPx, type ChartPiece } from './page-fit.ts';
import { lowestConcurrency, runtimeDriverFilesystem, uniqueInOrder, SHAPE_AXES, pieceLabel, varyingAxes, type VariantAxis } from './chart-data.ts';

/** One segment of a bar: one phase of one cell. */
export interface BreakdownRow {
  configuration: string;
  filesystem: string;
  variant: string;
  phase: string;
  phaseOrder: number;
  medianMs: number;
  /** Set on the first segment of each bar only: where the total is written. */
  totalMs: number | null;
  totalLabel: string | null;
  /** A little beyond the total, on the first segment: room for its label within the panel's own scale. */
  extentMs: number | null;
}

const BAR_STEP_PX = 20;
/** Below each panel's bars: its x axis with its title. */
const AXIS_PX = 40;
/** Below the panels: the phase legend. */
const LEGEND_PX = 40;

/**
 * Where the time of one container's life cycle goes: one horizontal bar per runtime ·
 * storage driver · filesystem, its segments the phase medians stacked in life-cycle order,
 * the total written at its end. Each combination of image, workload, shape and lever is a
 * panel of its own with its own rows and x scale (a 2-second copy of a large image would
 * flatten the 30-ms bars of a tiny one); panels are packed into figures while they fit the
 * page, one too tall alone split by filesystem, then into runs of rows. One container at a time (the lowest concurrency measured):
 * concurrency has its own figure. No pieces when no cell measured a phase.
 */
export function lifecycleBreakdownChart(summary: Summary): ChartPiece[] {
  if (summary.cells.length === 0) return [];
  const concurrency = lowestConcurrency(summary.cells);
  const cells = summary.cells.filter((cell) => cell.concurrency === concurrency);
  const axes = varyingAxes(cells, ['image', 'workload', ...SHAPE_AXES] as VariantAxis[]);
  const rows: BreakdownRow[] = cells.flatMap((cell) => {
    const present = LIFECYCLE_PHASES.filter((phase) => cell.phases[phase]);
    return present.map((phase, index) => ({
      configuration: runtimeDriverFilesystem(cell),
      filesystem: cell.filesystem,
      variant: pieceLabel(cell, axes),
      phase,
      phaseOrder: LIFECYCLE_PHASES.indexOf(phase),
      medianMs: cell.phases[phase]?.medianMs ?? 0,
      totalMs: index === 0 ? cell.totalMedianMs : null,
      totalLabel: index === 0 ? formatChartMs(cell.totalMedianMs) : null,
      extentMs: index === 0 ? cell.totalMedianMs * 1.25 : null,
    }));
  });
  const panelOf = (some: readonly BreakdownRow[]) => panelWidthPx(some.map((row) => row.configuration), { maxPx: 400, minPx: 200 });
  const size = (some: BreakdownRow[]) => {
    const panels = groupInOrder(some, (row) => row.variant);
    return {
      width: unitWidthPx(some.map((row) => row.configuration), panelOf(some)),
      height: 2 * PADDING_PX + LEGEND_PX + panels.reduce((sum, [, members]) => sum + new Set(members.map((row) => row.configuration)).size * BAR_STEP_PX + AXIS_PX + (panels.length > 1 ? PANEL_HEADER_PX : 0), 0),
    };
  };
  return splitToFit(rows, {
    groupBy: (row) => row.variant,
    packGroups: true,
    splitBy: (row) => row.filesystem,
    rowOf: (row) => row.configuration,
    fits: (some) => fitsPage(size(some).width, size(some).height),
  }).map((piece) => ({ suffix: piece.suffix, describe: piece.describe, spec: breakdownSpec(piece.items, panelOf(piece.items)) }));
}

function breakdownSpec(rows: readonly BreakdownRow[], width: number): TopLevelSpec {
  const configurations = uniqueInOrder(rows.map((row) => row.configuration));
  const panels = uniqueInOrder(rows.map((row) => row.variant));
  const unit = {
    width,
    height: { step: BAR_STEP_PX },
    encoding: {
      y: { field: 'configuration', type: 'nominal', sort: configurations, title: null },
    },
    layer: [
      {
        mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'medianMs', type: 'quantitative', stack: 'zero', title: 'median duration (ms)', scale: { nice: false }, axis: { tickCount: 6, format: '~s', labelOverlap: true } },
          color: {
            field: 'phase',
            type: 'nominal',
            sort: [...LIFECYCLE_PHASES],
            scale: { domain: [...LIFECYCLE_PHASES], range: LIFECYCLE_PHASES.map((phase) => PHASE_COLOURS[phase]) },
            legend: { title: 'phase', orient: 'bottom', direction: 'horizontal' },
          },
          order: { field: 'phaseOrder', type: 'quantitative' },
        },
      },
      // Only the first segment has a total (and an extent): null positions are not drawn.
      {
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 11, color: '#222' },
        encoding: {
          x: { field: 'totalMs', type: 'quantitative' },
          text: { field: 'totalLabel', type: 'nominal' },
        },
      },
      // Room after the longest bar for its total.
      { mark: { type: 'point', opacity: 0 }, encoding: { x: { field: 'extentMs', type: 'quantitative' } } },
    ],
  };
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    ...(panels.length > 1
      ? { facet: panelFacet(panels, 'variant'), spacing: 10, spec: unit, resolve: { scale: { x: 'independent', y: 'independent' } } }
      : unit),
    config: chartConfig(),
  });
}
