import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import { asSpec, chartConfig, formatChartMs } from './chart-style.ts';
import { runtimeDriver, uniqueInOrder, SHAPE_AXES, variantLabel, varyingAxes, type VariantAxis } from './chart-data.ts';

export interface HeatmapRow {
  configuration: string;
  filesystem: string;
  variant: string;
  totalMs: number;
  label: string;
  /** Whether the label goes in white: the tile is dark. */
  dark: boolean;
}

const TILE_WIDTH_PX = 64;
const TILE_HEIGHT_PX = 26;
/** Tiles above this share of the (log) colour range are dark enough for white text. */
const DARK_FROM = 0.55;
const PANELS_PER_LINE = 3;

/**
 * The whole life cycle at a glance: one tile per runtime · storage driver (rows) and
 * filesystem (columns), coloured by the sum of the phase medians on a log scale (light is
 * fast) and labelled with it, so no value has to be read off the colour. One panel per
 * image · workload · concurrency when those vary, each with the same colour scale.
 * Undefined when no cell was measured.
 */
export function totalHeatmapChart(summary: Summary): TopLevelSpec | undefined {
  const cells = summary.cells.filter((cell) => cell.totalMedianMs > 0);
  if (cells.length === 0) return undefined;
  const axes = varyingAxes(cells, ['image', 'workload', ...SHAPE_AXES, 'concurrency'] as VariantAxis[]);
  const low = Math.min(...cells.map((cell) => cell.totalMedianMs));
  const high = Math.max(...cells.map((cell) => cell.totalMedianMs));
  const position = (ms: number) => (high === low ? 0 : Math.log(ms / low) / Math.log(high / low));
  const rows: HeatmapRow[] = cells.map((cell) => ({
    configuration: runtimeDriver(cell),
    filesystem: cell.filesystem,
    variant: variantLabel(cell, axes),
    totalMs: cell.totalMedianMs,
    label: formatChartMs(cell.totalMedianMs),
    dark: position(cell.totalMedianMs) >= DARK_FROM,
  }));
  const variants = uniqueInOrder(rows.map((row) => row.variant));
  const filesystems = uniqueInOrder(rows.map((row) => row.filesystem));
  const configurations = uniqueInOrder(rows.map((row) => row.configuration));
  // Every panel lists every row and column in the same order, so tiles line up across
  // panels; only the first panel of each line of panels names the rows.
  const unit = (index: number) => ({
    width: { step: TILE_WIDTH_PX },
    height: { step: TILE_HEIGHT_PX },
    encoding: {
      x: {
        field: 'filesystem', type: 'nominal', scale: { domain: filesystems }, title: null,
        axis: { orient: 'top', labelAngle: 0, domain: false, ticks: false, labelFontWeight: 'bold' },
      },
      y: {
        field: 'configuration', type: 'nominal', scale: { domain: configurations }, title: null,
        axis: { domain: false, ticks: false, ...(index % PANELS_PER_LINE === 0 ? {} : { labels: false }) },
      },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1.5 },
        encoding: {
          color: {
            field: 'totalMs', type: 'quantitative', title: 'total life-cycle time (ms, log scale)',
            scale: { type: 'log', scheme: 'blues', domain: [low, low === high ? high * 2 : high] },
            legend: { orient: 'bottom', direction: 'horizontal', gradientLength: 220, format: '~s', titleFontWeight: 'normal' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 10.5, baseline: 'middle' },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          color: { condition: { test: 'datum.dark', value: 'white' }, value: '#111' },
        },
      },
    ],
  });
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Total life-cycle time',
      subtitle: [
        `${summary.matrixName}: sum of the phase medians (ms); rows runtime · storage driver, columns filesystem`,
        ...(variants.length > 1 ? [`one panel per ${axes.join(' · ')}`] : []),
      ],
    },
    data: { values: rows },
    ...(variants.length > 1
      ? {
          concat: variants.map((variant, index) => ({
            title: { text: variant, fontSize: 12, anchor: 'start' },
            transform: [{ filter: { field: 'variant', equal: variant } }],
            ...unit(index),
          })),
          columns: PANELS_PER_LINE,
          resolve: { scale: { color: 'shared' } },
        }
      : unit(0)),
    config: chartConfig(),
  });
}
