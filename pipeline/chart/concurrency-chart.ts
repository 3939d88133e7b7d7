import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import { asSpec, categoryRange, chartConfig } from './chart-style.ts';
import { groupInOrder, slug, type ChartPiece } from './page-fit.ts';
import { logTicks, referenceWorkload, runtimeDriver, uniqueInOrder, SHAPE_AXES, variantLabel, varyingAxes, type VariantAxis } from './chart-data.ts';

export interface ConcurrencyRow {
  configuration: string;
  filesystem: string;
  variant: string;
  /** The line: configuration, filesystem and variant. */
  line: string;
  concurrency: number;
  /** Containers through their whole life cycle per second: N ÷ the median measured makespan. */
  throughputPerS: number;
  /** The same from the ends of the makespan's CI (a longer makespan is a lower throughput). */
  throughputLowPerS: number;
  throughputHighPerS: number;
  makespanMedianMs: number;
  launchP95Ms: number;
}

/**
 * Throughput and tail latency against the number of containers run at once: for every
 * configuration whose batches were measured at more than one concurrency level, the
 * containers completed per second (N ÷ the median makespan of a batch of N, first create to
 * last clean, with the interval from the makespan's CI) and the 95th percentile of launch.
 * One figure per filesystem, one colour per runtime · storage driver, a dashed line per
 * image (or shape, or lever) when they vary; the workload is the grading one when measured.
 * No pieces without a measured batch above concurrency 1.
 */
export function concurrencyChart(summary: Summary): ChartPiece[] {
  const workload = referenceWorkload(summary.cells.filter((cell) => cell.concurrency > 1 && cell.batch));
  if (workload === undefined) return [];
  const atWorkload = summary.cells.filter((cell) => cell.workload === workload && cell.batch && cell.phases.launch);
  // Configurations (all axes but concurrency) with more than one level measured.
  const keyOf = (cell: (typeof atWorkload)[number]) => [cell.runtime, cell.storageDriver, cell.filesystem, cell.image, cell.lifecycle, cell.netns, cell.cgroup].join('\u0000');
  const levels = new Map<string, Set<number>>();
  for (const cell of atWorkload) levels.set(keyOf(cell), (levels.get(keyOf(cell)) ?? new Set()).add(cell.concurrency));
  const cells = atWorkload.filter((cell) => (levels.get(keyOf(cell))?.size ?? 0) > 1);
  if (cells.length === 0) return [];
  const axes = varyingAxes(cells, ['image', ...SHAPE_AXES] as VariantAxis[]);
  const rows: ConcurrencyRow[] = cells.map((cell) => ({
    configuration: runtimeDriver(cell),
    filesystem: cell.filesystem,
    variant: variantLabel(cell, axes),
    line: [runtimeDriver(cell), cell.filesystem, cell.image, ...SHAPE_AXES.map((axis) => String(cell[axis]))].join(' · '),
    concurrency: cell.concurrency,
    throughputPerS: cell.batch!.throughputPerSecond,
    throughputLowPerS: (cell.concurrency * 1000) / cell.batch!.makespanCiHighMs,
    throughputHighPerS: (cell.concurrency * 1000) / cell.batch!.makespanCiLowMs,
    makespanMedianMs: cell.batch!.makespanMedianMs,
    launchP95Ms: cell.phases.launch?.p95Ms ?? 0,
  }));
  return groupInOrder(rows, (row) => row.filesystem).map(([filesystem, members], _, all) => ({
    suffix: all.length > 1 ? [slug(filesystem)] : [],
    describe: all.length > 1 ? [filesystem] : [],
    spec: concurrencySpec(members, axes),
  }));
}

const PANEL_WIDTH_PX = 380;
const PANEL_HEIGHT_PX = 150;

/** One filesystem: throughput above, launch p95 below, against N. */
function concurrencySpec(rows: readonly ConcurrencyRow[], axes: readonly VariantAxis[]): TopLevelSpec {
  const configurations = uniqueInOrder(rows.map((row) => row.configuration));
  const variants = uniqueInOrder(rows.map((row) => row.variant));
  const concurrencyLevels = [...new Set(rows.map((row) => row.concurrency))].sort((a, b) => a - b);
  const legend = { orient: 'bottom', direction: 'vertical', columns: 2 } as const;
  const oneColumn = { orient: 'bottom', direction: 'vertical', columns: 1 } as const;
  const panel = (field: keyof ConcurrencyRow, title: string, log: boolean, interval?: [keyof ConcurrencyRow, keyof ConcurrencyRow]) => ({
    width: PANEL_WIDTH_PX,
    height: PANEL_HEIGHT_PX,
    encoding: {
      x: {
        field: 'concurrency', type: 'quantitative', title: 'containers at once (N)',
        scale: { type: 'log', base: 2, domain: [concurrencyLevels[0]!, concurrencyLevels[concurrencyLevels.length - 1]!], nice: false },
        axis: { values: concurrencyLevels, format: 'd', grid: false },
      },
      y: { field, type: 'quantitative', title, ...(log ? logScale(rows.map((row) => Number(row[field]))) : { scale: { zero: true } }) },
      color: { field: 'configuration', type: 'nominal', sort: configurations, title: 'runtime · storage driver', scale: categoryRange(configurations.length), legend },
      detail: { field: 'line', type: 'nominal' },
      ...(variants.length > 1
        ? { strokeDash: { field: 'variant', type: 'nominal', sort: variants, title: axes.join(' · '), scale: { domain: variants, range: variants.map((_, i) => (i === 0 ? [1, 0] : [4 + i, 3])) }, legend: oneColumn } }
        : {}),
    },
    layer: [
      ...(interval ? [{ mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { y: { field: interval[0], type: 'quantitative', title }, y2: { field: interval[1] } } }] : []),
      { mark: { type: 'line', strokeWidth: 1.6, point: { filled: true, size: 36 } } },
    ],
  });
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    vconcat: [panel('throughputPerS', 'throughput (containers/s)', false, ['throughputLowPerS', 'throughputHighPerS']), panel('launchP95Ms', 'launch p95 (ms, log scale)', true)],
    spacing: 16,
    resolve: { scale: { y: 'independent', color: 'shared', strokeDash: 'shared' } },
    config: chartConfig(),
  });
}

/** A log y scale over `values` with a little room, ticked at 1-2-5 steps. */
function logScale(values: number[]) {
  const low = Math.min(...values) / 1.3;
  const high = Math.max(...values) * 1.3;
  return { scale: { type: 'log', domain: [low, high], nice: false }, axis: { values: logTicks(low, high), format: '~g' } } as const;
}
