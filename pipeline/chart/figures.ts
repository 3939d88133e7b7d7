import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import type { FigureInput } from './chart-data.ts';
import { capacityChart, capacityCaption } from './capacity-chart.ts';
import { concurrencyChart } from './concurrency-chart.ts';
import { gradingTimeChart } from './grading-time-chart.ts';
import { isolationChart } from './isolation-chart.ts';
import { launchDistributionChart } from './launch-distribution-chart.ts';
import { lifecycleBreakdownChart } from './lifecycle-breakdown-chart.ts';
import type { ChartPiece } from './page-fit.ts';
import { phaseMedianChart } from './phase-median-chart.ts';
import { questionCaption, questionChart } from './question-chart.ts';
import { rankingCaption, rankingChart } from './ranking-chart.ts';
import { daemonMemoryChart, diskUsageChart, peakMemoryChart } from './resource-charts.ts';
import { storageStrategyChart } from './storage-strategy-chart.ts';
import { totalHeatmapChart } from './total-heatmap-chart.ts';

export type { FigureInput } from './chart-data.ts';

/** Where the report puts a figure: chapter 5 (the answers) or the appendix (everything measured). */
export type FigurePlacement = 'chapter5' | 'appendix';

/** One figure a definition makes: written as figures/<id>.vl.json, .svg, .pdf and .png. */
export interface Figure {
  id: string;
  /** Built from the summary, so a caption never states a number the data does not hold. */
  caption: string;
  spec: TopLevelSpec;
}

/** A figure as the registry hands it on: where it goes, besides what it is. */
export interface PlacedFigure extends Figure {
  placement: FigurePlacement;
}

/**
 * A kind of figure of the report: a new one is one builder file plus one entry in FIGURES.
 * A definition may make several figures (one per question, or a tall figure in pieces that
 * each fit the page), or none when the summary lacks its data.
 */
export interface FigureDefinition {
  /** The figure's id, or the stem of its pieces' ids (`<id>-<suffix>`). */
  id: string;
  placement: FigurePlacement;
  /** The figures, in the order the document shows them; empty when the summary lacks the data. */
  build(input: FigureInput): Figure[];
}

/** Chapter 5 shows at most this many figures: the rankings and capacity, then the questions in order. */
export const MAX_CHAPTER5_FIGURES = 10;

/**
 * The input without the isolation probes' cells: their execute phase tests a limit (a memory
 * hog killed, a fork bomb stopped), so they have no place in a figure of the life cycle.
 */
function lifeCycleOnly(input: FigureInput): FigureInput {
  const cells = input.summary.cells.filter((cell) => cell.probe === undefined);
  return cells.length === input.summary.cells.length ? input : { ...input, summary: { ...input.summary, cells } };
}

/**
 * An appendix figure made of pieces: each piece's id is the stem and its suffix, its
 * caption the figure's, followed by what the piece shows when the figure is split.
 */
function pieces(
  id: string,
  caption: (input: FigureInput) => string,
  chart: (input: FigureInput) => ChartPiece[],
  options: { probes?: boolean } = {},
): FigureDefinition {
  return {
    id,
    placement: 'appendix',
    build: (whole) => {
      const input = options.probes ? whole : lifeCycleOnly(whole);
      const made = chart(input);
      if (made.length === 0) return [];
      const text = caption(input);
      return made.map((piece) => ({
        id: [id, ...piece.suffix].join('-'),
        caption: piece.describe.length > 0 ? `${text} This figure: ${piece.describe.join(', ')}.` : text,
        spec: piece.spec,
      }));
    },
  };
}

/**
 * The figures in the order the document shows them: chapter 5's (the rankings, one figure per
 * question, the capacity under load), then the appendix's.
 */
export const FIGURES: readonly FigureDefinition[] = [
  {
    id: 'ranking',
    placement: 'chapter5',
    build: ({ summary }) =>
      (summary.ranking?.shapes ?? []).flatMap((shape) => {
        const spec = rankingChart(shape);
        return spec ? [{ id: `ranking-${shape.lifecycle}`, caption: rankingCaption(summary, shape), spec }] : [];
      }),
  },
  {
    id: 'question',
    placement: 'chapter5',
    build: ({ summary }) =>
      (summary.questions ?? []).flatMap((question) => {
        const spec = questionChart(summary, question);
        return spec ? [{ id: `question-${question.id}`, caption: questionCaption(summary, question), spec }] : [];
      }),
  },
  {
    id: 'capacity',
    placement: 'chapter5',
    build: ({ summary }) => {
      const spec = summary.load ? capacityChart(summary.load) : undefined;
      return spec && summary.load ? [{ id: 'capacity', caption: capacityCaption(summary.load), spec }] : [];
    },
  },
  pieces(
    'lifecycle-breakdown',
    () =>
      'Median duration of each life-cycle phase, stacked in life-cycle order, per runtime, storage driver and ' +
      'filesystem, one container at a time; the number at the end of each bar is the total.',
    ({ summary }) => lifecycleBreakdownChart(summary),
  ),
  pieces(
    'phase-medians',
    ({ summary }) =>
      'Median duration of each life-cycle phase per runtime, storage driver and filesystem; error bars are ' +
      `bootstrap 95% confidence intervals of the median (seed ${summary.seed}), ` +
      `${describeN(summary)}. Each panel has its own scale.`,
    ({ summary }) => phaseMedianChart(summary),
  ),
  pieces(
    'total-heatmap',
    () =>
      'Total life-cycle time (the sum of the phase medians) per runtime and storage driver and filesystem; ' +
      'darker is slower, on a log scale shared by every part. An empty tile is a combination without a measurement.',
    ({ summary }) => totalHeatmapChart(summary),
  ),
  pieces(
    'launch-distribution',
    () =>
      'Spread of the launch phase per configuration, fastest median first: box from the 25th to the 75th percentile, ' +
      'line at the median, whiskers to the minimum and maximum, diamond at the 95th percentile; log scale.',
    ({ summary }) => launchDistributionChart(summary),
  ),
  pieces(
    'storage-strategies',
    () =>
      'Create and clean medians against the size of the image tarball, both on log scales: a deep copy (solid) ' +
      'grows with the image, copy-on-write (dashed) should not. Error bars are bootstrap 95% confidence intervals.',
    (input) => storageStrategyChart(input),
  ),
  pieces(
    'grading-time',
    () =>
      'Median duration of the execute phase per workload, runtime, storage driver and filesystem, with its ' +
      'bootstrap 95% confidence interval; noop is the bare cost of an exec. Each panel has its own scale.',
    ({ summary }) => gradingTimeChart(summary),
  ),
  pieces(
    'concurrency',
    ({ summary }) =>
      'Containers completed per second, measured as N divided by the median makespan of a batch of N containers ' +
      `(first create to last clean; bars from its bootstrap ${Math.round(summary.bootstrap.confidence * 100)}% CI), and the 95th percentile of launch, ` +
      'against the number N of containers run at once.',
    ({ summary }) => concurrencyChart(summary),
  ),
  pieces(
    'peak-memory',
    () =>
      'Peak memory of each container’s cgroup after the execute phase: the median (bar, labelled) and the highest ' +
      'peak seen (tick) per runtime and storage driver; runtimes whose cgroups crbench cannot read are absent.',
    ({ summary }) => peakMemoryChart(summary),
  ),
  pieces(
    'disk-usage',
    () =>
      'What the volume grew by while one container was created (median, labelled), per storage driver and filesystem: ' +
      'a deep copy costs the size of the image, copy-on-write a few blocks.',
    ({ summary }) => diskUsageChart(summary),
  ),
  pieces(
    'daemon-memory',
    () =>
      'Resident memory of the daemons each runtime keeps (dockerd, containerd and its shims, lxd) once its cells ran, ' +
      'median over blocks; paid once per host, whatever the number of containers.',
    ({ summary }) => daemonMemoryChart(summary),
  ),
  pieces(
    'isolation',
    () =>
      'Verdict of the isolation probes per configuration and limit, the majority over the measured repetitions (n): ' +
      'enforced, not enforced, could not tell, or not run (the probe failed before it could test the limit).',
    ({ summary }) => isolationChart(summary),
    { probes: true },
  ),
];

/**
 * Every figure the summary has data for, in registry order, with its placement. Chapter 5
 * keeps at most MAX_CHAPTER5_FIGURES: every ranking and the capacity figure, then the
 * questions in their declared order while room is left; the rest of the questions are
 * answered by the chapter's tables alone.
 */
export function buildFigures(input: FigureInput, figures: readonly FigureDefinition[] = FIGURES): PlacedFigure[] {
  const built = figures.map((definition) => ({ definition, made: definition.build(input) }));
  const answers = (definition: FigureDefinition) => definition.placement === 'chapter5' && definition.id === 'question';
  const fixed = built.filter(({ definition }) => definition.placement === 'chapter5' && !answers(definition)).reduce((sum, { made }) => sum + made.length, 0);
  let room = Math.max(0, MAX_CHAPTER5_FIGURES - fixed);
  const placed = built.flatMap(({ definition, made }) => {
    let kept = made;
    if (answers(definition)) {
      kept = made.slice(0, room);
      room -= kept.length;
    }
    return kept.map((figure) => ({ ...figure, placement: definition.placement }));
  });
  // Never more than the chapter holds, whatever the definitions made.
  let chapter = 0;
  return placed.filter((figure) => figure.placement !== 'chapter5' || ++chapter <= MAX_CHAPTER5_FIGURES);
}

/** "n = 20 per point" or "n = 19–20 per point", from the phases actually summarised. */
function describeN(summary: Summary): string {
  const ns = summary.cells.flatMap((cell) => Object.values(cell.phases).map((stats) => stats.n));
  if (ns.length === 0) return 'no successful measurement';
  const low = Math.min(...ns);
  const high = Math.max(...ns);
  return low === high ? `n = ${low} per point` : `n = ${low}–${high} per point`;
}
