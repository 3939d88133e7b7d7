import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import type { FigureInput } from './chart-data.ts';
import { concurrencyChart } from './concurrency-chart.ts';
import { gradingTimeChart } from './grading-time-chart.ts';
import { launchDistributionChart } from './launch-distribution-chart.ts';
import { lifecycleBreakdownChart } from './lifecycle-breakdown-chart.ts';
import { phaseMedianChart } from './phase-median-chart.ts';
import { storageStrategyChart } from './storage-strategy-chart.ts';
import { totalHeatmapChart } from './total-heatmap-chart.ts';

export type { FigureInput } from './chart-data.ts';

/** A figure of the report: a new one is one builder file plus one entry in FIGURES. */
export interface FigureDefinition {
  /** File stem: the figure is written as figures/<id>.vl.json, .svg, .pdf and .png. */
  id: string;
  title: string;
  /** Built from the summary, so a caption never states a number the data does not hold. */
  caption(input: FigureInput): string;
  /** The Vega-Lite spec, or undefined when the summary lacks the figure's data (it is left out). */
  build(input: FigureInput): TopLevelSpec | undefined;
}

/** The figures in the order the chapter shows them. */
export const FIGURES: readonly FigureDefinition[] = [
  {
    id: 'lifecycle-breakdown',
    title: 'Where the life cycle spends its time',
    caption: () =>
      'Median duration of each life-cycle phase, stacked in life-cycle order, per runtime and storage driver ' +
      'and per filesystem, one container at a time; the number at the end of each bar is the total.',
    build: ({ summary }) => lifecycleBreakdownChart(summary),
  },
  {
    id: 'phase-medians',
    title: 'Median duration per life-cycle phase',
    caption: ({ summary }) =>
      'Median duration of each life-cycle phase per runtime and filesystem; error bars are ' +
      `bootstrap 95% confidence intervals of the median (seed ${summary.seed}), ` +
      `${describeN(summary)}. Each panel has its own scale.`,
    build: ({ summary }) => phaseMedianChart(summary),
  },
  {
    id: 'total-heatmap',
    title: 'Total life-cycle time',
    caption: () =>
      'Total life-cycle time (the sum of the phase medians) per runtime and storage driver and filesystem; ' +
      'darker is slower, on a log scale. An empty tile is a combination without a measurement.',
    build: ({ summary }) => totalHeatmapChart(summary),
  },
  {
    id: 'launch-distribution',
    title: 'Launch latency',
    caption: () =>
      'Spread of the launch phase per configuration, fastest median first: dot the median, box from the median ' +
      'to the 95th percentile, tick the 99th percentile, line from the minimum to the maximum; log scale.',
    build: ({ summary }) => launchDistributionChart(summary),
  },
  {
    id: 'storage-strategies',
    title: 'Storage strategies against image size',
    caption: () =>
      'Create and clean medians against the size of the image tarball, both on log scales: a deep copy (solid) ' +
      'grows with the image, copy-on-write (dashed) should not. Error bars are bootstrap 95% confidence intervals.',
    build: (input) => storageStrategyChart(input),
  },
  {
    id: 'grading-time',
    title: 'Grading time per workload',
    caption: () =>
      'Median duration of the execute phase per workload, runtime and storage driver and filesystem, with its ' +
      'bootstrap 95% confidence interval; noop is the bare cost of an exec.',
    build: ({ summary }) => gradingTimeChart(summary),
  },
  {
    id: 'concurrency',
    title: 'Concurrency: throughput and tail latency',
    caption: () =>
      'Containers completed per second, estimated as N divided by the median life-cycle time, and the 95th ' +
      'percentile of launch, against the number N of containers run at once.',
    build: ({ summary }) => concurrencyChart(summary),
  },
];

/** "n = 20 per point" or "n = 19–20 per point", from the phases actually summarised. */
function describeN(summary: Summary): string {
  const ns = summary.cells.flatMap((cell) => Object.values(cell.phases).map((stats) => stats.n));
  if (ns.length === 0) return 'no successful measurement';
  const low = Math.min(...ns);
  const high = Math.max(...ns);
  return low === high ? `n = ${low} per point` : `n = ${low}–${high} per point`;
}
