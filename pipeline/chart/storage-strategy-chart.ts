import type { TopLevelSpec } from 'vega-lite';
import type { LifecyclePhase } from '../types.ts';
import { asSpec, categoryRange, chartConfig } from './chart-style.ts';
import { imageMiB, logTicks, lowestConcurrency, runtimeDriver, storageStrategy, uniqueInOrder, type FigureInput } from './chart-data.ts';

export interface StorageRow {
  phase: LifecyclePhase;
  image: string;
  imageMiB: number;
  runtime: string;
  storageDriver: string;
  /** The line a point belongs to: one per runtime · driver and filesystem. */
  configuration: string;
  filesystem: string;
  strategy: 'deep copy' | 'copy-on-write';
  medianMs: number;
  ciLowMs: number;
  ciHighMs: number;
}

const STORAGE_PHASES: LifecyclePhase[] = ['create', 'clean'];

/**
 * Storage strategies against image size: the create and clean medians (with their 95% CIs)
 * of each runtime · driver against the size of the image's tarball, both on log scales; a
 * deep copy grows with the image (a solid line), copy-on-write should stay flat (dashed).
 * One container at a time, the first workload measured per image (create and clean do not
 * run it). Needs the image sizes from the manifest and at least two sizes to draw a line;
 * undefined otherwise.
 */
export function storageStrategyChart(input: FigureInput): TopLevelSpec | undefined {
  const { summary, manifest } = input;
  const sizes = imageMiB(manifest);
  if (summary.cells.length === 0) return undefined;
  const concurrency = lowestConcurrency(summary.cells);
  const cells = summary.cells.filter((cell) => cell.concurrency === concurrency && sizes.has(cell.image));
  // One workload per runtime, driver, filesystem and image: the first measured.
  const seen = new Set<string>();
  const chosen = cells.filter((cell) => {
    const key = `${cell.runtime}\u0000${cell.storageDriver}\u0000${cell.filesystem}\u0000${cell.image}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rows: StorageRow[] = STORAGE_PHASES.flatMap((phase) =>
    chosen.flatMap((cell) => {
      const stats = cell.phases[phase];
      if (!stats) return [];
      return [{
        phase,
        image: cell.image,
        imageMiB: sizes.get(cell.image) ?? 0,
        runtime: cell.runtime,
        storageDriver: cell.storageDriver,
        configuration: `${runtimeDriver(cell)} · ${cell.filesystem}`,
        filesystem: cell.filesystem,
        strategy: storageStrategy(cell.storageDriver),
        medianMs: stats.medianMs,
        ciLowMs: stats.ciLowMs,
        ciHighMs: stats.ciHighMs,
      }];
    }),
  );
  if (new Set(rows.map((row) => row.imageMiB)).size < 2) return undefined;

  const drivers = uniqueInOrder(rows.map((row) => row.storageDriver));
  const filesystems = uniqueInOrder(rows.map((row) => row.filesystem));
  const imageSizes = [...new Set(rows.map((row) => row.imageMiB))].sort((a, b) => a - b);
  const x = {
    field: 'imageMiB', type: 'quantitative', title: 'image tarball (MiB, log scale)',
    scale: { type: 'log', domain: [imageSizes[0]! / 1.6, imageSizes[imageSizes.length - 1]! * 1.6], nice: false },
    axis: { values: imageSizes, format: '.3~r', grid: false },
  } as const;
  const yDomain = [Math.min(...rows.map((row) => row.ciLowMs)) / 1.3, Math.max(...rows.map((row) => row.ciHighMs)) * 1.3];
  const y = {
    type: 'quantitative', title: 'median duration (ms, log scale)',
    scale: { type: 'log', domain: yDomain, nice: false },
    axis: { values: logTicks(yDomain[0]!, yDomain[1]!), format: '~g' },
  } as const;
  const colour = { field: 'storageDriver', type: 'nominal', sort: drivers, title: 'storage driver', scale: categoryRange(drivers.length) } as const;
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Storage strategies: create and clean against image size',
      subtitle: [
        `${summary.matrixName}: one line per runtime · storage driver and filesystem, ${concurrency === 1 ? 'one container at a time' : `${concurrency} containers at once`};`,
        'error bars are bootstrap 95% confidence intervals of the median',
      ],
    },
    data: { values: rows },
    facet: {
      column: { field: 'phase', type: 'nominal', sort: STORAGE_PHASES, title: null },
      ...(filesystems.length > 1 ? { row: { field: 'filesystem', type: 'nominal', sort: filesystems, title: 'filesystem' } } : {}),
    },
    spec: {
      width: 220,
      height: 190,
      encoding: { x, color: colour },
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.6 },
          encoding: {
            y: { field: 'medianMs', ...y },
            detail: { field: 'configuration', type: 'nominal' },
            strokeDash: {
              field: 'strategy', type: 'nominal', title: 'strategy',
              scale: { domain: ['deep copy', 'copy-on-write'], range: [[1, 0], [5, 3]] },
            },
          },
        },
        {
          mark: { type: 'errorbar', ticks: { size: 6 } },
          encoding: { y: { field: 'ciLowMs', ...y }, y2: { field: 'ciHighMs' } },
        },
        {
          mark: { type: 'point', filled: true, size: 40, opacity: 1 },
          encoding: {
            y: { field: 'medianMs', ...y },
            shape: { field: 'runtime', type: 'nominal', sort: uniqueInOrder(rows.map((row) => row.runtime)), title: 'runtime' },
          },
        },
      ],
    },
    config: chartConfig(),
  });
}
