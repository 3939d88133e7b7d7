import { median } from 'simple-statistics';
import type { BatchStats, CellSummary, DaemonSummary, Manifest, Sample } from '../types.ts';
import { bootstrapMediansSeeded, CONFIDENCE_LEVEL, percentileInterval, BOOTSTRAP_RESAMPLES } from '../statistics/bootstrap.ts';
import { deriveSeed } from '../statistics/seeded-random.ts';

/** The measured, successful samples of the metrics besides durations, per cell id. */
export interface CellMetrics {
  makespansMs: number[];
  peakMemoryBytes: number[];
  diskBytes: number[];
}

/**
 * The makespans, peak memories and disk usages of each cell, from measured successful
 * samples (warm-ups left out). A makespan is the sample's duration; the other two are its
 * `value` (a sample without a finite value is left out).
 */
export function tallyCellMetrics(samples: readonly Sample[]): Map<string, CellMetrics> {
  const byCell = new Map<string, CellMetrics>();
  const of = (cellId: string) => {
    let metrics = byCell.get(cellId);
    if (!metrics) byCell.set(cellId, (metrics = { makespansMs: [], peakMemoryBytes: [], diskBytes: [] }));
    return metrics;
  };
  for (const sample of samples) {
    if (sample.warmup || !sample.ok) continue;
    if (sample.phase === 'makespan') of(sample.cellId).makespansMs.push(sample.durationMs);
    else if (sample.phase === 'peak-memory' && Number.isFinite(sample.value)) of(sample.cellId).peakMemoryBytes.push(sample.value!);
    else if (sample.phase === 'disk-usage' && Number.isFinite(sample.value)) of(sample.cellId).diskBytes.push(sample.value!);
  }
  return byCell;
}

/**
 * A cell's batch, memory and disk statistics, as optional CellSummary fields (absent when
 * nothing was measured). The makespan's CI is a percentile bootstrap of the median, seeded
 * from the run's seed and the cell id, so it depends on nothing else; the throughput is
 * N ÷ the median makespan, the rate at which a burst of N submissions is got through.
 */
export function summariseCellMetrics(
  cell: Pick<CellSummary, 'cellId' | 'concurrency'>,
  metrics: CellMetrics | undefined,
  seed: number,
): Pick<CellSummary, 'batch' | 'memory' | 'disk'> {
  if (!metrics) return {};
  const result: Pick<CellSummary, 'batch' | 'memory' | 'disk'> = {};
  if (metrics.makespansMs.length > 0) result.batch = summariseBatch(cell, metrics.makespansMs, seed);
  if (metrics.peakMemoryBytes.length > 0) {
    const sorted = sortedCopy(metrics.peakMemoryBytes);
    result.memory = { n: sorted.length, peakMedianBytes: median(sorted), peakMaxBytes: sorted[sorted.length - 1]! };
  }
  if (metrics.diskBytes.length > 0) {
    const sorted = sortedCopy(metrics.diskBytes);
    result.disk = { n: sorted.length, medianBytes: median(sorted) };
  }
  return result;
}

function summariseBatch(cell: Pick<CellSummary, 'cellId' | 'concurrency'>, makespansMs: number[], seed: number): BatchStats {
  const sorted = Float64Array.from(makespansMs).sort();
  const medianMs = median([...sorted]);
  const [low, high] = percentileInterval(bootstrapMediansSeeded(sorted, deriveSeed(seed, `${cell.cellId}\u0000makespan`), BOOTSTRAP_RESAMPLES), CONFIDENCE_LEVEL);
  return {
    n: sorted.length,
    makespanMedianMs: medianMs,
    makespanCiLowMs: low,
    makespanCiHighMs: high,
    throughputPerSecond: (cell.concurrency * 1000) / medianMs,
  };
}

/**
 * The median resident memory of each group's daemons over the blocks that measured it
 * (runtime-rss samples carry the group id as their cell id). Groups in the order the manifest
 * first lists them; groups it does not plan, and daemonless runtimes (no sample), are absent.
 */
export function summariseDaemons(manifest: Manifest, samples: readonly Sample[]): DaemonSummary[] {
  const values = new Map<string, number[]>();
  for (const sample of samples) {
    if (sample.phase !== 'runtime-rss' || !sample.ok || sample.warmup || !Number.isFinite(sample.value)) continue;
    const list = values.get(sample.groupId);
    if (list) list.push(sample.value!);
    else values.set(sample.groupId, [sample.value!]);
  }
  const daemons: DaemonSummary[] = [];
  const seen = new Set<string>();
  for (const cell of manifest.cells) {
    if (seen.has(cell.groupId)) continue;
    seen.add(cell.groupId);
    const list = values.get(cell.groupId);
    if (!list) continue;
    daemons.push({
      groupId: cell.groupId,
      runtime: cell.runtime,
      storageDriver: cell.storageDriver,
      filesystem: cell.filesystem,
      n: list.length,
      rssMedianBytes: median(sortedCopy(list)),
    });
  }
  return daemons;
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}
