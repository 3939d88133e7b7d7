import { CONFIDENCE_LEVEL, percentileInterval } from '../statistics/bootstrap.ts';
import type { CellSummary, Manifest, SizeSlope } from '../types.ts';
import type { DurationSeries } from './compare-series.ts';

const GIB = 1024 ** 3;
const SLOPE_PHASES = ['create', 'clean'] as const;

/**
 * Create and clean time against image size, per runtime · driver · filesystem, from the
 * cells that differ only in their image (one container at a time, fresh namespaces): the
 * least-squares slope of the phase median against the image's tarball size, with a
 * percentile CI from the same slope over the series' bootstrap medians. A deep copy should
 * grow with the image; copy-on-write should not (the thesis's chapter 3).
 */
export function sizeSlopes(
  manifest: Manifest,
  cells: readonly CellSummary[],
  seriesOf: (cellId: string, phase: (typeof SLOPE_PHASES)[number]) => DurationSeries | undefined,
): SizeSlope[] {
  const images = manifest.images ?? {};
  const groups = new Map<string, CellSummary[]>();
  for (const cell of cells) {
    if (cell.probe !== undefined || cell.concurrency !== 1 || cell.netns !== 'fresh' || cell.cgroup !== 'fresh' || images[cell.image] === undefined) continue;
    const key = [cell.runtime, cell.storageDriver, cell.filesystem, cell.workload, cell.lifecycle].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const slopes: SizeSlope[] = [];
  for (const group of groups.values()) {
    const sizes = new Set(group.map((cell) => images[cell.image]!.tarballBytes));
    if (sizes.size < 3) continue;
    for (const phase of SLOPE_PHASES) {
      const points = group
        .map((cell) => ({ cell, series: seriesOf(cell.cellId, phase), bytes: images[cell.image]!.tarballBytes }))
        .filter((point): point is { cell: CellSummary; series: DurationSeries; bytes: number } => point.series !== undefined)
        .sort((a, b) => a.bytes - b.bytes || a.cell.image.localeCompare(b.cell.image));
      if (new Set(points.map((point) => point.bytes)).size < 3) continue;
      const xs = points.map((point) => point.bytes / GIB);
      const slope = leastSquaresSlope(xs, points.map((point) => point.series.medianMs));
      const resamples = Math.min(...points.map((point) => point.series.bootstrapMediansMs.length));
      const replicates = new Float64Array(resamples);
      for (let r = 0; r < resamples; r++) replicates[r] = leastSquaresSlope(xs, points.map((point) => point.series.bootstrapMediansMs[r]!));
      const [ciLow, ciHigh] = percentileInterval(replicates, CONFIDENCE_LEVEL);
      const first = points[0]!.cell;
      slopes.push({
        runtime: first.runtime,
        storageDriver: first.storageDriver,
        filesystem: first.filesystem,
        phase,
        slopeMsPerGiB: slope,
        ciLowMsPerGiB: ciLow,
        ciHighMsPerGiB: ciHigh,
        grows: ciLow > 0,
        points: points.map((point) => ({
          image: point.cell.image,
          imageBytes: point.bytes,
          medianMs: point.series.medianMs,
          ...(point.cell.disk !== undefined ? { diskBytes: point.cell.disk.medianBytes } : {}),
        })),
      });
    }
  }
  return slopes;
}

/** Ordinary least squares slope of y on x. */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const meanX = xs.reduce((sum, x) => sum + x, 0) / n;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - meanX) * (ys[i]! - meanY);
    sxx += (xs[i]! - meanX) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}
