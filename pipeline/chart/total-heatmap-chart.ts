import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import { asSpec, chartConfig, formatChartMs } from './chart-style.ts';
import { labelWidthPx, fitsPage, groupInOrder, PADDING_PX, PANEL_HEADER_PX, panelFacet, PAGE_WIDTH_PX, splitToFit, type ChartPiece } from './page-fit.ts';
import { runtimeDriver, uniqueInOrder, SHAPE_AXES, pieceLabel, varyingAxes, type VariantAxis } from './chart-data.ts';

export interface HeatmapRow {
  configuration: string;
  filesystem: string;
  variant: string;
  totalMs: number;
  label: string;
  /** Whether the label goes in white: the tile is dark. */
  dark: boolean;
}

const TILE_HEIGHT_PX = 26;
/** Tiles above this share of the (log) colour range are dark enough for white text. */
const DARK_FROM = 0.55;
/** Above the tiles the filesystems; below, the colour legend. */
const ABOVE_PX = 22;
const BELOW_PX = 60;
/** The colour legend's width: a figure is never narrower. */
const LEGEND_PX = 240;

/**
 * The whole life cycle at a glance: one tile per runtime · storage driver (rows) and
 * filesystem (columns), coloured by the sum of the phase medians on a log scale (light is
 * fast) and labelled with it, so no value has to be read off the colour. Each combination of
 * image, workload, shape, lever and concurrency is a panel with only its own rows and
 * columns, every one on the same colour scale; panels are packed into figures while they
 * fit the page, one too tall alone split into runs of rows.
 * No pieces when no cell was measured.
 */
export function totalHeatmapChart(summary: Summary): ChartPiece[] {
  const cells = summary.cells.filter((cell) => cell.totalMedianMs > 0);
  if (cells.length === 0) return [];
  const axes = varyingAxes(cells, ['image', 'workload', ...SHAPE_AXES, 'concurrency'] as VariantAxis[]);
  const low = Math.min(...cells.map((cell) => cell.totalMedianMs));
  const high = Math.max(...cells.map((cell) => cell.totalMedianMs));
  const position = (ms: number) => (high === low ? 0 : Math.log(ms / low) / Math.log(high / low));
  const rows: HeatmapRow[] = cells.map((cell) => ({
    configuration: runtimeDriver(cell),
    filesystem: cell.filesystem,
    variant: pieceLabel(cell, axes),
    totalMs: cell.totalMedianMs,
    label: formatChartMs(cell.totalMedianMs),
    dark: position(cell.totalMedianMs) >= DARK_FROM,
  }));
  const domain = [low, low === high ? high * 2 : high];
  const size = (some: HeatmapRow[]) => {
    const labels = some.map((row) => row.configuration);
    const columns = new Set(some.map((row) => row.filesystem)).size;
    const tiles = 2 * PADDING_PX + labelWidthPx(labels) + 12 + columns * tileWidth(labels, columns);
    const panels = groupInOrder(some, (row) => row.variant);
    const panelsPx = panels.reduce((sum, [, members]) => sum + ABOVE_PX + new Set(members.map((row) => row.configuration)).size * TILE_HEIGHT_PX + (panels.length > 1 ? PANEL_HEADER_PX : 0), 0);
    return { width: Math.max(tiles, LEGEND_PX + 2 * PADDING_PX), height: 2 * PADDING_PX + panelsPx + BELOW_PX };
  };
  return splitToFit(rows, {
    groupBy: (row) => row.variant,
    packGroups: true,
    rowOf: (row) => row.configuration,
    fits: (some) => fitsPage(size(some).width, size(some).height),
  }).map((piece) => ({ suffix: piece.suffix, describe: piece.describe, spec: heatmapSpec(piece.items, domain) }));
}

/** Tiles as wide as the page allows, between 64 and 110 px. */
function tileWidth(labels: readonly string[], columns: number): number {
  const free = PAGE_WIDTH_PX - 2 * PADDING_PX - labelWidthPx(labels) - 12;
  return Math.max(64, Math.min(110, Math.floor(free / Math.max(columns, 1))));
}

function heatmapSpec(rows: readonly HeatmapRow[], domain: number[]): TopLevelSpec {
  const filesystems = uniqueInOrder(rows.map((row) => row.filesystem));
  const configurations = uniqueInOrder(rows.map((row) => row.configuration));
  const panels = uniqueInOrder(rows.map((row) => row.variant));
  const columns = Math.max(...panels.map((panel) => new Set(rows.filter((row) => row.variant === panel).map((row) => row.filesystem)).size));
  const unit = {
    // A fixed width: a step width in a facet with independent x scales breaks Vega-Lite's sizing.
    width: tileWidth(configurations, columns) * columns,
    height: { step: TILE_HEIGHT_PX },
    encoding: {
      x: {
        field: 'filesystem', type: 'nominal', sort: filesystems, title: null,
        axis: { orient: 'top', labelAngle: 0, domain: false, ticks: false, labelFontWeight: 'bold' },
      },
      y: {
        field: 'configuration', type: 'nominal', sort: configurations, title: null,
        axis: { domain: false, ticks: false },
      },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1.5 },
        encoding: {
          color: {
            field: 'totalMs', type: 'quantitative', title: 'total life-cycle time (ms, log scale)',
            scale: { type: 'log', scheme: 'blues', domain },
            legend: { orient: 'bottom', direction: 'horizontal', gradientLength: 220, format: '~s', titleFontWeight: 'normal' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11, baseline: 'middle' },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          color: { condition: { test: 'datum.dark', value: 'white' }, value: '#111' },
        },
      },
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
