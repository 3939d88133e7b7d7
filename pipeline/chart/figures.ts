import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import type { FigureInput } from './chart-data.ts';
import { concurrencyChart } from './concurrency-chart.ts';
import { gradingTimeChart } from './grading-time-chart.ts';
import { isolationChart } from './isolation-chart.ts';
import { launchDistributionChart } from './launch-distribution-chart.ts';
import { lifecycleBreakdownChart } from './lifecycle-breakdown-chart.ts';
import { phaseMedianChart } from './phase-median-chart.ts';
import { daemonMemoryChart, diskUsageChart, peakMemoryChart } from './resource-charts.ts';
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

/**
 * The input without the isolation probes' cells: their execute phase tests a limit (a memory
 * hog killed, a fork bomb stopped), so they have no place in a figure of the life cycle.
 */
function lifeCycleOnly(input: FigureInput): FigureInput {
  const cells = input.summary.cells.filter((cell) => cell.probe === undefined);
  return cells.length === input.summary.cells.length ? input : { ...input, summary: { ...input.summary, cells } };
}

/** The figures in the order the chapter shows them; all but the isolation grid leave the probes out. */
export const FIGURES: readonly FigureDefinition[] = (
  [
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
      'Spread of the launch phase per configuration, fastest median first: box from the 25th to the 75th percentile, ' +
      'line at the median, whiskers to the minimum and maximum, diamond at the 95th percentile; log scale.',
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
    caption: ({ summary }) =>
      'Containers completed per second, measured as N divided by the median makespan of a batch of N containers ' +
      `(first create to last clean; bars from its bootstrap ${Math.round(summary.bootstrap.confidence * 100)}% CI), and the 95th percentile of launch, ` +
      'against the number N of containers run at once.',
    build: ({ summary }) => concurrencyChart(summary),
  },
  {
    id: 'peak-memory',
    title: 'Memory per container',
    caption: () =>
      'Peak memory of each container’s cgroup after the execute phase: the median (bar, labelled) and the highest ' +
      'peak seen (tick) per runtime and storage driver; runtimes whose cgroups crbench cannot read are absent.',
    build: ({ summary }) => peakMemoryChart(summary),
  },
  {
    id: 'disk-usage',
    title: 'Disk per container',
    caption: () =>
      'What the volume grew by while one container was created (median, labelled), per storage driver and filesystem: ' +
      'a deep copy costs the size of the image, copy-on-write a few blocks.',
    build: ({ summary }) => diskUsageChart(summary),
  },
  {
    id: 'daemon-memory',
    title: 'Daemon memory',
    caption: () =>
      'Resident memory of the daemons each runtime keeps (dockerd, containerd and its shims, lxd) once its cells ran, ' +
      'median over blocks; paid once per host, whatever the number of containers.',
    build: ({ summary }) => daemonMemoryChart(summary),
  },
] satisfies FigureDefinition[]
).map((figure): FigureDefinition => ({ ...figure, caption: (input) => figure.caption(lifeCycleOnly(input)), build: (input) => figure.build(lifeCycleOnly(input)) })).concat([
  {
    id: 'isolation',
    title: 'Isolation: which limits hold',
    caption: () =>
      'Verdict of the isolation probes per configuration and limit, the majority over the measured repetitions (n): ' +
      'enforced, not enforced, could not tell, or not run (the probe failed before it could test the limit).',
    build: ({ summary }) => isolationChart(summary),
  },
]);

/** "n = 20 per point" or "n = 19–20 per point", from the phases actually summarised. */
function describeN(summary: Summary): string {
  const ns = summary.cells.flatMap((cell) => Object.values(cell.phases).map((stats) => stats.n));
  if (ns.length === 0) return 'no successful measurement';
  const low = Math.min(...ns);
  const high = Math.max(...ns);
  return low === high ? `n = ${low} per point` : `n = ${low}–${high} per point`;
}
