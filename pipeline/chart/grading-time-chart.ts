import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import { asSpec, categoryRange, chartConfig } from './chart-style.ts';
import { lowestConcurrency, runtimeDriver, uniqueInOrder } from './chart-data.ts';

export interface GradingRow {
  workload: string;
  configuration: string;
  filesystem: string;
  image: string;
  medianMs: number;
  ciLowMs: number;
  ciHighMs: number;
}

/**
 * Grading time: the median of the execute phase (the grader's command, run through the
 * runtime's exec) with its 95% CI, per runtime · storage driver (rows) and filesystem
 * (colour), one panel per workload with an x scale of its own, noop included as the
 * runtime's bare exec cost. One container at a time; each workload on the largest image it
 * was measured with (a grader needs its toolchain). Drawn once a workload other than noop
 * was measured; undefined before.
 */
export function gradingTimeChart(summary: Summary): TopLevelSpec | undefined {
  if (summary.cells.length === 0) return undefined;
  const concurrency = lowestConcurrency(summary.cells);
  const cells = summary.cells.filter((cell) => cell.concurrency === concurrency && cell.phases.execute);
  const workloads = uniqueInOrder(cells.map((cell) => cell.workload));
  if (!workloads.some((workload) => workload !== 'noop')) return undefined;
  // The image each workload is shown with: the one listed last among those it ran on
  // (matrices list the small image first), so that noop and a grader share an image.
  const images = uniqueInOrder(cells.map((cell) => cell.image));
  const gradingImage = images.filter((image) => cells.some((cell) => cell.image === image && cell.workload !== 'noop')).at(-1);
  const imageOf = (workload: string) => {
    const ran = images.filter((image) => cells.some((cell) => cell.workload === workload && cell.image === image));
    return gradingImage !== undefined && ran.includes(gradingImage) ? gradingImage : ran.at(-1);
  };
  const rows: GradingRow[] = cells
    .filter((cell) => cell.image === imageOf(cell.workload))
    .map((cell) => {
      const stats = cell.phases.execute!;
      return {
        workload: cell.workload,
        configuration: runtimeDriver(cell),
        filesystem: cell.filesystem,
        image: cell.image,
        medianMs: stats.medianMs,
        ciLowMs: stats.ciLowMs,
        ciHighMs: stats.ciHighMs,
      };
    });
  const filesystems = uniqueInOrder(rows.map((row) => row.filesystem));
  const imagesShown = uniqueInOrder(rows.map((row) => row.image));
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Grading time: the execute phase per workload',
      subtitle: [
        `${summary.matrixName}: median of execute per runtime · storage driver and filesystem, with its bootstrap 95% CI;`,
        `image ${imagesShown.join(', ')}; ${concurrency === 1 ? 'one container at a time' : `${concurrency} containers at once`}; each panel has its own scale`,
      ],
    },
    data: { values: rows },
    facet: { column: { field: 'workload', type: 'nominal', sort: workloads, title: null } },
    spec: {
      width: 200,
      height: { step: 14 },
      encoding: {
        y: { field: 'configuration', type: 'nominal', sort: uniqueInOrder(rows.map((row) => row.configuration)), title: null },
        yOffset: { field: 'filesystem', type: 'nominal', sort: filesystems },
        color: { field: 'filesystem', type: 'nominal', sort: filesystems, title: 'filesystem', scale: categoryRange(filesystems.length) },
      },
      layer: [
        { mark: { type: 'bar', opacity: 0.85 }, encoding: { x: { field: 'medianMs', type: 'quantitative', title: 'median execute (ms)' } } },
        {
          mark: { type: 'errorbar', ticks: { size: 5 } },
          encoding: {
            x: { field: 'ciLowMs', type: 'quantitative', title: 'median execute (ms)' },
            x2: { field: 'ciHighMs' },
            // Dark over every bar colour, not the bar's own.
            color: { value: '#222' },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
    config: chartConfig(),
  });
}
