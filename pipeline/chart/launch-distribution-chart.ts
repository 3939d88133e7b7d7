import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import { asSpec, chartConfig } from './chart-style.ts';
import { logTicks, lowestConcurrency, runtimeDriverFilesystem, uniqueInOrder, variantLabel, varyingAxes, type VariantAxis } from './chart-data.ts';

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
}

const ROW_STEP_PX = 20;

/**
 * How launch latency is spread, per runtime · driver · filesystem, fastest median first:
 * a thin line over the whole range (minimum to maximum), a box from the median to the 95th
 * percentile, a tick at the 99th and a dot at the median. The summary holds these order
 * statistics, not the samples, so this stands in for a box plot or an ECDF, which would
 * need every launch duration (see the report's note on Summary.distributions). Log scale:
 * runtimes differ by orders of magnitude. One container at a time; one panel per image
 * and workload when they vary. Undefined when no cell measured a launch.
 */
export function launchDistributionChart(summary: Summary): TopLevelSpec | undefined {
  if (summary.cells.length === 0) return undefined;
  const concurrency = lowestConcurrency(summary.cells);
  const cells = summary.cells.filter((cell) => cell.concurrency === concurrency && cell.phases.launch);
  if (cells.length === 0) return undefined;
  const axes = varyingAxes(cells, ['image', 'workload'] as VariantAxis[]);
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
      { mark: { type: 'rule', color: '#888', strokeWidth: 1 }, encoding: { x: { field: 'minMs', ...x }, x2: { field: 'maxMs' } } },
      { mark: { type: 'bar', color: '#9ecae1', height: 10 }, encoding: { x: { field: 'medianMs', ...x }, x2: { field: 'p95Ms' } } },
      { mark: { type: 'tick', color: '#08519c', thickness: 2, size: 12 }, encoding: { x: { field: 'p99Ms', ...x } } },
      { mark: { type: 'point', filled: true, color: '#111', size: 30, opacity: 1 }, encoding: { x: { field: 'medianMs', ...x } } },
    ],
  };
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Launch latency',
      subtitle: [
        `${summary.matrixName}: dot median · box median to 95th percentile · tick 99th percentile · line minimum to maximum`,
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
