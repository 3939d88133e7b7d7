import type { CellSummary, Summary } from '../types.ts';
import { asSpec, categoryRange, chartConfig } from './chart-style.ts';
import { runtimeDriver, runtimeDriverFilesystem, SEP, storageStrategy, uniqueInOrder, SHAPE_AXES, varyingAxes, pieceLabel, type VariantAxis } from './chart-data.ts';
import { medianOf } from '../statistics/statistics.ts';
import { fitsPage, groupInOrder, PADDING_PX, panelFacet, panelWidthPx, splitToFit, unitWidthPx, type ChartPiece } from './page-fit.ts';

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
const LABEL = { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 7, fontSize: 11, color: '#222' }, encoding: { text: { field: 'label', type: 'nominal' } } } as const;

export interface PeakMemoryRow {
  configuration: string;
  /** The image · workload · shape the row belongs to ('all' when they do not vary). */
  panel: string;
  medianMiB: number;
  maxMiB: number;
  label: string;
}

/** Per panel of a faceted resource figure: its header above and the spacing to the next. */
const HEADER_PX = 18 + 10;
/** Below the rows: an x axis with its title. */
const AXIS_PX = 40;
/** Below the rows of the disk figure: the axis and the strategy legend. */
const LEGEND_PX = 40;
/** Room for the "1.10 MiB" label after the longest bar. */
const LABEL_ROOM_PX = 70;

/**
 * Peak memory per container: for each runtime · storage driver, the median peak of the
 * container's cgroup (bar, the median over filesystems when several were measured) and the
 * highest peak seen (tick), one panel per image · workload · shape when they vary, each with
 * only its own rows and all on one scale; panels are packed into figures while they fit the
 * page. One container at a time where measured, else the lowest concurrency. No pieces
 * without a memory measurement (daemon-managed runtimes keep their cgroups out of crbench's reach).
 */
export function peakMemoryChart(summary: Summary): ChartPiece[] {
  const measured = summary.cells.filter((cell) => cell.memory);
  if (measured.length === 0) return [];
  const concurrency = Math.min(...measured.map((cell) => cell.concurrency));
  const cells = measured.filter((cell) => cell.concurrency === concurrency);
  const axes = varyingAxes(cells, ['image', 'workload', ...SHAPE_AXES] as VariantAxis[]);
  const groups = new Map<string, CellSummary[]>();
  for (const cell of cells) {
    const key = JSON.stringify([pieceLabel(cell, axes), runtimeDriver(cell)]);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const rows: PeakMemoryRow[] = [...groups.values()].map((group) => {
    const medianBytes = medianOf(group.map((cell) => cell.memory!.peakMedianBytes));
    return {
      configuration: runtimeDriver(group[0]!),
      panel: pieceLabel(group[0]!, axes) || 'all',
      medianMiB: medianBytes / MIB,
      maxMiB: Math.max(...group.map((cell) => cell.memory!.peakMaxBytes)) / MIB,
      label: formatChartBytes(medianBytes),
    };
  });
  const panels = uniqueInOrder(rows.map((row) => row.panel));
  rows.sort((a, b) => panels.indexOf(a.panel) - panels.indexOf(b.panel));
  const several = panels.length > 1;
  const high = Math.max(...rows.map((row) => row.maxMiB));
  const panelOf = (some: readonly PeakMemoryRow[]) => panelWidthPx(some.map((row) => row.configuration), { maxPx: 380, minPx: 200 });
  const size = (some: PeakMemoryRow[]) => ({
    width: unitWidthPx(some.map((row) => row.configuration), panelOf(some)),
    height: 2 * PADDING_PX + AXIS_PX + groupInOrder(some, (row) => row.panel).reduce((sum, [, members]) => sum + members.length * ROW_STEP_PX + (several ? HEADER_PX : 0), 0),
  });
  return splitToFit(rows, {
    groupBy: (row) => row.panel,
    packGroups: true,
    rowOf: (row) => `${row.panel}\u0000${row.configuration}`,
    fits: (some) => fitsPage(size(some).width, size(some).height),
  }).map((piece) => {
    const unit = {
      width: panelOf(piece.items),
      height: { step: ROW_STEP_PX },
      encoding: { y: { field: 'configuration', type: 'nominal', sort: uniqueInOrder(piece.items.map((row) => row.configuration)), title: null } },
      layer: [
        { mark: { type: 'bar', height: { band: 0.7 }, color: '#0072B2' }, encoding: { x: { field: 'medianMiB', type: 'quantitative', title: 'peak memory per container (MiB)', scale: { domain: [0, high * 1.3], nice: false } } } },
        { mark: { type: 'tick', color: '#111', thickness: 1.5, size: ROW_STEP_PX * 0.6 }, encoding: { x: { field: 'maxMiB', type: 'quantitative' } } },
        { ...LABEL, encoding: { ...LABEL.encoding, x: { field: 'maxMiB', type: 'quantitative' } } },
      ],
    };
    return {
      suffix: piece.suffix,
      describe: piece.describe,
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: piece.items },
        ...(several ? { facet: panelFacet(uniqueInOrder(piece.items.map((row) => row.panel))), spacing: 10, spec: unit, resolve: { scale: { y: 'independent' } } } : unit),
        config: chartConfig(),
      }),
    };
  });
}

export interface DiskRow {
  storage: string;
  image: string;
  /** "image grader": the panel the row is drawn in. */
  panel: string;
  strategy: 'deep copy' | 'copy-on-write';
  medianMiB: number;
  /** A little beyond the bar, so that its label fits inside the panel's own scale. */
  extentMiB: number;
  label: string;
}

/**
 * Disk per container: what the volume grew by while one container was created, per storage
 * driver · filesystem (the median over the runtimes that use it), one panel per image with
 * only its own rows and its own scale, coloured by the driver's strategy. A deep copy costs
 * about the image's size, copy-on-write a few blocks: the bars show the first, the labels
 * the second. Panels are packed into figures while they fit the page. No pieces without a
 * disk measurement.
 */
export function diskUsageChart(summary: Summary): ChartPiece[] {
  const cells = summary.cells.filter((cell) => cell.disk);
  if (cells.length === 0) return [];
  const groups = new Map<string, CellSummary[]>();
  for (const cell of cells) {
    const key = JSON.stringify([cell.image, cell.storageDriver, cell.filesystem]);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const rows: DiskRow[] = [...groups.values()].map((group) => {
    const cell = group[0]!;
    const bytes = medianOf(group.map((member) => member.disk!.medianBytes));
    return { storage: `${cell.storageDriver}${SEP}${cell.filesystem}`, image: cell.image, panel: `image ${cell.image}`, strategy: storageStrategy(cell.storageDriver), medianMiB: bytes / MIB, extentMiB: (bytes / MIB) * 1.3, label: formatChartBytes(bytes) };
  });
  const images = uniqueInOrder(rows.map((row) => row.image));
  const several = images.length > 1;
  const strategies = (['deep copy', 'copy-on-write'] as const).filter((strategy) => rows.some((row) => row.strategy === strategy));
  const panelOf = (some: readonly DiskRow[]) => panelWidthPx(some.map((row) => row.storage), { reservedPx: LABEL_ROOM_PX, maxPx: 320, minPx: 200 });
  const size = (some: DiskRow[]) => ({
    width: unitWidthPx(some.map((row) => row.storage), panelOf(some), LABEL_ROOM_PX),
    height: 2 * PADDING_PX + LEGEND_PX + groupInOrder(some, (row) => row.panel).reduce((sum, [, members]) => sum + members.length * (ROW_STEP_PX + 4) + (several ? HEADER_PX + AXIS_PX : AXIS_PX), 0),
  });
  return splitToFit(rows, {
    groupBy: (row) => row.panel,
    packGroups: true,
    rowOf: (row) => `${row.panel}\u0000${row.storage}`,
    fits: (some) => fitsPage(size(some).width, size(some).height),
  }).map((piece) => {
    const unit = {
      width: panelOf(piece.items),
      height: { step: ROW_STEP_PX + 4 },
      encoding: { y: { field: 'storage', type: 'nominal', sort: uniqueInOrder(piece.items.map((row) => row.storage)), title: null } },
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
    return {
      suffix: piece.suffix,
      describe: piece.describe,
      spec: asSpec({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: piece.items },
        ...(several ? { facet: panelFacet(uniqueInOrder(piece.items.map((row) => row.panel))), spacing: 10, spec: unit, resolve: { scale: { x: 'independent', y: 'independent' } } } : unit),
        config: { ...chartConfig(), legend: { ...chartConfig().legend, orient: 'bottom' } },
      }),
    };
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
 * number of containers. Too many groups for the page are split into runs of rows. No pieces
 * when every runtime measured was daemonless.
 */
export function daemonMemoryChart(summary: Summary): ChartPiece[] {
  const daemons = summary.daemons ?? [];
  if (daemons.length === 0) return [];
  const rows: DaemonRow[] = daemons.map((daemon) => ({
    group: runtimeDriverFilesystem(daemon),
    runtime: daemon.runtime,
    rssMiB: daemon.rssMedianBytes / MIB,
    label: formatChartBytes(daemon.rssMedianBytes),
  }));
  const runtimes = uniqueInOrder(rows.map((row) => row.runtime));
  const high = Math.max(...rows.map((row) => row.rssMiB));
  const x = { type: 'quantitative', title: 'resident memory of the daemons (MiB)', scale: { domain: [0, high * 1.3], nice: false } } as const;
  const panelOf = (some: readonly DaemonRow[]) => panelWidthPx(some.map((row) => row.group), { maxPx: 380, minPx: 200 });
  const size = (some: DaemonRow[]) => ({
    width: unitWidthPx(some.map((row) => row.group), panelOf(some)),
    height: 2 * PADDING_PX + AXIS_PX + some.length * (ROW_STEP_PX + 4),
  });
  return splitToFit(rows, { rowOf: (row) => row.group, fits: (some) => fitsPage(size(some).width, size(some).height) }).map((piece) => ({
    suffix: piece.suffix,
    describe: piece.describe,
    spec: asSpec({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: piece.items },
      width: panelOf(piece.items),
      height: { step: ROW_STEP_PX + 4 },
      encoding: { y: { field: 'group', type: 'nominal', sort: piece.items.map((row) => row.group), title: null } },
      layer: [
        {
          mark: { type: 'bar', height: { band: 0.7 } },
          encoding: { x: { field: 'rssMiB', ...x }, color: { field: 'runtime', type: 'nominal', sort: runtimes, scale: { domain: runtimes, ...categoryRange(runtimes.length) }, legend: null } },
        },
        { ...LABEL, encoding: { ...LABEL.encoding, x: { field: 'rssMiB', ...x } } },
      ],
      config: chartConfig(),
    }),
  }));
}
