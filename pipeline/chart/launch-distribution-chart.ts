import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import { asSpec, chartConfig } from './chart-style.ts';
import { logTicks, lowestConcurrency, runtimeDriverFilesystem, uniqueInOrder, SHAPE_AXES, variantLabel, varyingAxes, type VariantAxis } from './chart-data.ts';

export interface LaunchRow {
  configuration: string;
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

/**
 * How launch latency is spread, per runtime · driver · filesystem, fastest median first: a
 * box plot from the summary's order statistics — box from the first to the third quartile,
 * a line at the median, whiskers to the minimum and the maximum (not Tukey's 1.5 IQR: the
 * summary holds no single samples), and an open diamond at the 95th percentile, the tail a
 * grader waits for. Log scale: runtimes differ by orders of magnitude. One container at a
 * time; one panel per image and workload when they vary. Undefined when no cell measured
 * a launch.
 */
export function launchDistributionChart(summary: Summary): TopLevelSpec | undefined {
  if (summary.cells.length === 0) return undefined;
  const concurrency = lowestConcurrency(summary.cells);
  const cells = summary.cells.filter((cell) => cell.concurrency === concurrency && cell.phases.launch);
  if (cells.length === 0) return undefined;
  const axes = varyingAxes(cells, ['image', 'workload', ...SHAPE_AXES] as VariantAxis[]);
  const rows: LaunchRow[] = cells.map((cell) => {
    const stats = cell.phases.launch!;
    return {
      configuration: runtimeDriverFilesystem(cell),
      variant: variantLabel(cell, axes),
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
  // Fastest median first, the same order in every panel (that of the first variant).
  const order = uniqueInOrder(
    [...rows].sort((a, b) => a.medianMs - b.medianMs || (a.configuration < b.configuration ? -1 : 1)).map((row) => row.configuration),
  );
  const variants = uniqueInOrder(rows.map((row) => row.variant));
  const low = Math.min(...rows.map((row) => row.minMs)) / 1.25;
  const high = Math.max(...rows.map((row) => row.maxMs)) * 1.25;
  const x = {
    type: 'quantitative', title: 'launch duration (ms, log scale)',
    scale: { type: 'log', domain: [low, high], nice: false },
    axis: { values: logTicks(low, high), format: '~g' },
  } as const;
  const unit = {
    width: 420,
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
    title: {
      text: 'Launch latency',
      subtitle: [
        `${summary.matrixName}: box 25th to 75th percentile · line median · whiskers minimum to maximum · diamond 95th percentile`,
        `per runtime · storage driver · filesystem, fastest first; ${concurrency === 1 ? 'one container at a time' : `${concurrency} containers at once`}`,
      ],
    },
    data: { values: rows },
    ...(variants.length > 1
      ? { facet: { row: { field: 'variant', type: 'nominal', sort: variants, title: axes.join(' · ') } }, spec: unit }
      : unit),
    config: chartConfig(),
  });
}
