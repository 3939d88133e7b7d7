import type { TopLevelSpec } from 'vega-lite';
import type { LifecyclePhase } from '../types.ts';
import { asSpec, categoryRange, chartConfig } from './chart-style.ts';
import { imageMiB, logTicks, lowestConcurrency, runtimeDriver, SHAPE_AXES, storageStrategy, uniqueInOrder, variantLabel, varyingAxes, type FigureInput, type VariantAxis } from './chart-data.ts';
import { groupInOrder, slug, type ChartPiece } from './page-fit.ts';

export interface StorageRow {
  phase: LifecyclePhase;
  image: string;
  imageMiB: number;
  runtime: string;
  storageDriver: string;
  /** The line a point belongs to: one per runtime · driver and filesystem. */
  configuration: string;
  filesystem: string;
  /** The shape and levers, when they vary among the cells drawn. */
  variant: string;
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
 * run it). One figure per filesystem (and shape or lever, when they vary), create and clean
 * side by side, each on its own scale. Needs the image sizes from the manifest and at least
 * two sizes to draw a line; no pieces otherwise.
 */
export function storageStrategyChart(input: FigureInput): ChartPiece[] {
  const { summary, manifest } = input;
  const sizes = imageMiB(manifest);
  if (summary.cells.length === 0) return [];
  const concurrency = lowestConcurrency(summary.cells);
  const cells = summary.cells.filter((cell) => cell.concurrency === concurrency && sizes.has(cell.image));
  // One workload per runtime, driver, filesystem and image: the first measured.
  const seen = new Set<string>();
  const chosen = cells.filter((cell) => {
    const key = [cell.runtime, cell.storageDriver, cell.filesystem, cell.image, cell.lifecycle, cell.netns, cell.cgroup].join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const shapeAxes = varyingAxes(chosen, [...SHAPE_AXES] as VariantAxis[]);
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
        variant: variantLabel(cell, shapeAxes),
        strategy: storageStrategy(cell.storageDriver),
        medianMs: stats.medianMs,
        ciLowMs: stats.ciLowMs,
        ciHighMs: stats.ciHighMs,
      }];
    }),
  );
  // One figure per filesystem (and shape or lever, when they vary), each drawing at least two sizes.
  const groups = groupInOrder(rows, (row) => [row.filesystem, ...(shapeAxes.length > 0 ? [row.variant] : [])].join(' · '));
  const drawn = groups.filter(([, members]) => new Set(members.map((row) => row.imageMiB)).size >= 2);
  return drawn.map(([key, members]) => ({
    suffix: drawn.length > 1 ? [slug(key)] : [],
    describe: drawn.length > 1 ? [key] : [],
    spec: storageSpec(members),
  }));
}

const PANEL_WIDTH_PX = 190;
const PANEL_HEIGHT_PX = 180;

function storageSpec(rows: readonly StorageRow[]): TopLevelSpec {
  const drivers = uniqueInOrder(rows.map((row) => row.storageDriver));
  const imageSizes = [...new Set(rows.map((row) => row.imageMiB))].sort((a, b) => a - b);
  const x = {
    field: 'imageMiB', type: 'quantitative', title: 'image tarball (MiB, log scale)',
    scale: { type: 'log', domain: [imageSizes[0]! / 1.6, imageSizes[imageSizes.length - 1]! * 1.6], nice: false },
    axis: { values: imageSizes, format: '.3~r', grid: false, labelOverlap: true },
  } as const;
  const colour = {
    field: 'storageDriver', type: 'nominal', sort: drivers, title: 'storage driver', scale: { domain: drivers, ...categoryRange(drivers.length) },
    legend: { orient: 'bottom', direction: 'vertical' },
  } as const;
  const runtimes = uniqueInOrder(rows.map((row) => row.runtime));
  const strategies = (['deep copy', 'copy-on-write'] as const).filter((strategy) => rows.some((row) => row.strategy === strategy));
  // Each phase its own panel and its own y scale: clean is often an order of magnitude faster.
  const panel = (phase: LifecyclePhase) => {
    const own = rows.filter((row) => row.phase === phase);
    const yDomain = [Math.min(...own.map((row) => row.ciLowMs)) / 1.3, Math.max(...own.map((row) => row.ciHighMs)) * 1.3];
    const y = {
      type: 'quantitative', title: `${phase} median (ms, log scale)`,
      scale: { type: 'log', domain: yDomain, nice: false },
      axis: { values: logTicks(yDomain[0]!, yDomain[1]!), format: '~g' },
    } as const;
    return {
      transform: [{ filter: { field: 'phase', equal: phase } }],
      width: PANEL_WIDTH_PX,
      height: PANEL_HEIGHT_PX,
      encoding: { x, color: colour },
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.6 },
          encoding: {
            y: { field: 'medianMs', ...y },
            detail: { field: 'configuration', type: 'nominal' },
            strokeDash: {
              field: 'strategy', type: 'nominal', title: 'strategy',
              scale: { domain: strategies, range: strategies.map((strategy) => (strategy === 'deep copy' ? [1, 0] : [5, 3])) },
              legend: { orient: 'bottom', direction: 'vertical' },
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
            shape: { field: 'runtime', type: 'nominal', sort: runtimes, title: 'runtime', scale: { domain: runtimes }, legend: { orient: 'bottom', direction: 'vertical' } },
          },
        },
      ],
    };
  };
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    hconcat: STORAGE_PHASES.filter((phase) => rows.some((row) => row.phase === phase)).map(panel),
    spacing: 16,
    resolve: { scale: { y: 'independent', color: 'shared', shape: 'shared', strokeDash: 'shared' } },
    config: chartConfig(),
  });
}
