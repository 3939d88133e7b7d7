import type { TopLevelSpec } from 'vega-lite';
import type { CellSummary, Summary } from '../types.ts';
import { asSpec, categoryRange, chartConfig } from './chart-style.ts';
import { runtimeDriver, runtimeDriverFilesystem, SEP, storageStrategy, uniqueInOrder, SHAPE_AXES, varyingAxes, variantLabel, type VariantAxis } from './chart-data.ts';
import { medianOf } from '../statistics/statistics.ts';

const MIB = 2 ** 20;
const ROW_STEP_PX = 18;

/**
 * Bytes as the figures write them, 3 significant digits: "12.0 KiB", "1.10 MiB", "249 MiB"
 * (the report stage has its own copy; a stage imports no other).
 */
export function formatChartBytes(bytes: number): string {
  const [amount, unit] = bytes >= 1023.5 * 1024 ? [bytes / MIB, 'MiB'] : [bytes / 1024, 'KiB'];
  return `${amount >= 999.5 ? amount.toFixed(0) : amount.toPrecision(3)} ${unit}`;
}


/** A bar's value label just right of its end, in the figures' font. */
const LABEL = { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 7, fontSize: 10, color: '#222' }, encoding: { text: { field: 'label', type: 'nominal' } } } as const;

export interface PeakMemoryRow {
  configuration: string;
  variant: string;
  medianMiB: number;
  maxMiB: number;
  label: string;
}

/**
 * Peak memory per container: for each runtime · storage driver and each image · workload, the
 * median peak of the container's cgroup (bar, the median over filesystems when several were
 * measured) and the highest peak seen (tick). One container at a time where measured, else
 * the lowest concurrency. Undefined without a memory measurement (daemon-managed runtimes
 * keep their cgroups out of crbench's reach).
 */
export function peakMemoryChart(summary: Summary): TopLevelSpec | undefined {
  const measured = summary.cells.filter((cell) => cell.memory);
  if (measured.length === 0) return undefined;
  const concurrency = Math.min(...measured.map((cell) => cell.concurrency));
  const cells = measured.filter((cell) => cell.concurrency === concurrency);
  const axes = varyingAxes(cells, ['image', 'workload', ...SHAPE_AXES] as VariantAxis[]);
  const groups = new Map<string, CellSummary[]>();
  for (const cell of cells) {
    const key = JSON.stringify([runtimeDriver(cell), variantLabel(cell, axes)]);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const rows: PeakMemoryRow[] = [...groups.values()].map((group) => {
    const medianBytes = medianOf(group.map((cell) => cell.memory!.peakMedianBytes));
    return {
      configuration: runtimeDriver(group[0]!),
      variant: variantLabel(group[0]!, axes) || 'all',
      medianMiB: medianBytes / MIB,
      maxMiB: Math.max(...group.map((cell) => cell.memory!.peakMaxBytes)) / MIB,
      label: formatChartBytes(medianBytes),
    };
  });
  const configurations = uniqueInOrder(rows.map((row) => row.configuration));
  const variants = uniqueInOrder(rows.map((row) => row.variant));
  const high = Math.max(...rows.map((row) => row.maxMiB));
  const x = { type: 'quantitative', title: 'peak memory per container (MiB)', scale: { domain: [0, high * 1.25], nice: false } } as const;
  const several = variants.length > 1;
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Memory per container',
      subtitle: [
        `${summary.matrixName}: median peak of the container's cgroup (bar, labelled) and the highest peak seen (tick),`,
        `per runtime · storage driver${several ? ` and ${axes.join(' · ')}` : ''}; ${concurrency === 1 ? 'one container at a time' : `${concurrency} containers at once`}`,
      ],
    },
    data: { values: rows },
    width: 380,
    // With an offset channel the step is that of one bar within the runtime's band.
    height: { step: several ? ROW_STEP_PX - 2 : ROW_STEP_PX + 4 },
    encoding: {
      y: { field: 'configuration', type: 'nominal', sort: configurations, title: null },
      ...(several ? { yOffset: { field: 'variant', type: 'nominal', sort: variants } } : {}),
    },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.8 } },
        encoding: {
          x: { field: 'medianMiB', ...x },
          color: several
            ? { field: 'variant', type: 'nominal', sort: variants, title: axes.join(' · '), scale: categoryRange(variants.length) }
            : { value: '#0072B2' },
        },
      },
      { mark: { type: 'tick', color: '#111', thickness: 1.5, size: ROW_STEP_PX * 0.6 }, encoding: { x: { field: 'maxMiB', ...x } } },
      { ...LABEL, encoding: { ...LABEL.encoding, x: { field: 'maxMiB', ...x } } },
    ],
    config: chartConfig(),
  });
}

export interface DiskRow {
  storage: string;
  image: string;
  strategy: 'deep copy' | 'copy-on-write';
  medianMiB: number;
  /** A little beyond the bar, so that its label fits inside the panel's own scale. */
  extentMiB: number;
  label: string;
}

/**
 * Disk per container: what the volume grew by while one container was created, per storage
 * driver · filesystem (the median over the runtimes that use it) and image, coloured by the
 * driver's strategy. A deep copy costs about the image's size, copy-on-write a few blocks:
 * the bars show the first, the labels the second. Undefined without a disk measurement.
 */
export function diskUsageChart(summary: Summary): TopLevelSpec | undefined {
  const cells = summary.cells.filter((cell) => cell.disk);
  if (cells.length === 0) return undefined;
  const groups = new Map<string, CellSummary[]>();
  for (const cell of cells) {
    const key = JSON.stringify([cell.storageDriver, cell.filesystem, cell.image]);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const rows: DiskRow[] = [...groups.values()].map((group) => {
    const cell = group[0]!;
    const bytes = medianOf(group.map((member) => member.disk!.medianBytes));
    return { storage: `${cell.storageDriver}${SEP}${cell.filesystem}`, image: cell.image, strategy: storageStrategy(cell.storageDriver), medianMiB: bytes / MIB, extentMiB: (bytes / MIB) * 1.3, label: formatChartBytes(bytes) };
  });
  const storages = uniqueInOrder(rows.map((row) => row.storage));
  const images = uniqueInOrder(rows.map((row) => row.image));
  const strategies = (['deep copy', 'copy-on-write'] as const).filter((strategy) => rows.some((row) => row.strategy === strategy));
  const unit = {
    width: 260,
    height: { step: ROW_STEP_PX + 4 },
    encoding: { y: { field: 'storage', type: 'nominal', sort: storages, title: null } },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          x: { field: 'medianMiB', type: 'quantitative', title: 'disk taken by create (MiB)', scale: { zero: true }, axis: { tickCount: 5, format: '~g' } },
          color: { field: 'strategy', type: 'nominal', title: 'storage strategy', scale: { domain: strategies, range: strategies.map((s) => (s === 'deep copy' ? '#D55E00' : '#0072B2')) } },
        },
      },
      { ...LABEL, encoding: { ...LABEL.encoding, x: { field: 'medianMiB', type: 'quantitative' } } },
      { mark: { type: 'point', opacity: 0 }, encoding: { x: { field: 'extentMiB', type: 'quantitative' } } },
    ],
  };
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Disk per container',
      subtitle: [
        `${summary.matrixName}: what the volume grew by while one container was created (median, labelled),`,
        `per storage driver · filesystem${images.length > 1 ? ', one panel per image, each with its own scale' : `, image ${images[0]}`}`,
      ],
    },
    data: { values: rows },
    ...(images.length > 1
      ? { facet: { column: { field: 'image', type: 'nominal', sort: images, title: null, header: { labelExpr: "'image ' + datum.label" } } }, spec: unit, resolve: { scale: { x: 'independent' } } }
      : unit),
    config: { ...chartConfig(), legend: { ...chartConfig().legend, orient: 'bottom' } },
  });
}

export interface DaemonRow {
  group: string;
  runtime: string;
  rssMiB: number;
  label: string;
}

/**
 * Daemon memory: the resident memory of each group's daemons (dockerd, containerd and its
 * shims, lxd…) once its cells ran, median over blocks; a host pays it once, whatever the
 * number of containers. Undefined when every runtime measured was daemonless.
 */
export function daemonMemoryChart(summary: Summary): TopLevelSpec | undefined {
  const daemons = summary.daemons ?? [];
  if (daemons.length === 0) return undefined;
  const rows: DaemonRow[] = daemons.map((daemon) => ({
    group: runtimeDriverFilesystem(daemon),
    runtime: daemon.runtime,
    rssMiB: daemon.rssMedianBytes / MIB,
    label: formatChartBytes(daemon.rssMedianBytes),
  }));
  const runtimes = uniqueInOrder(rows.map((row) => row.runtime));
  const high = Math.max(...rows.map((row) => row.rssMiB));
  const x = { type: 'quantitative', title: 'resident memory of the daemons (MiB)', scale: { domain: [0, high * 1.2], nice: false } } as const;
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Daemon memory',
      subtitle: [`${summary.matrixName}: resident memory of each runtime's daemons after its cells ran (median over blocks);`, 'daemonless runtimes have none'],
    },
    data: { values: rows },
    width: 380,
    height: { step: ROW_STEP_PX + 4 },
    encoding: { y: { field: 'group', type: 'nominal', sort: rows.map((row) => row.group), title: null } },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: { x: { field: 'rssMiB', ...x }, color: { field: 'runtime', type: 'nominal', sort: runtimes, scale: categoryRange(runtimes.length), legend: null } },
      },
      { ...LABEL, encoding: { ...LABEL.encoding, x: { field: 'rssMiB', ...x } } },
    ],
    config: chartConfig(),
  });
}
