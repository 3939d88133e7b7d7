import type { CellSummary, Manifest, Summary } from '../types.ts';

/** What a figure is built from: the summary, and the manifest for facts it does not hold. */
export interface FigureInput {
  summary: Summary;
  /** Image sizes (manifest.images) and the matrix's order of axis values. */
  manifest?: Manifest;
}

export const SEP = ' · ';

/** "runc · copy": the runtime and its storage driver, what the platform would configure. */
export function runtimeDriver(cell: Pick<CellSummary, 'runtime' | 'storageDriver'>): string {
  return `${cell.runtime}${SEP}${cell.storageDriver}`;
}

/** "runc · copy · ext4". */
export function runtimeDriverFilesystem(cell: Pick<CellSummary, 'runtime' | 'storageDriver' | 'filesystem'>): string {
  return `${runtimeDriver(cell)}${SEP}${cell.filesystem}`;
}

/** The axes outside runtime, driver and filesystem that a figure may have to keep apart. */
export type VariantAxis = 'image' | 'workload' | 'lifecycle' | 'netns' | 'cgroup' | 'concurrency';

/** The life-cycle shape and the two levers: cells that differ in them are never one row of a figure. */
export const SHAPE_AXES: readonly VariantAxis[] = ['lifecycle', 'netns', 'cgroup'];

/** Of `axes`, those on which the cells differ. */
export function varyingAxes<A extends keyof CellSummary>(cells: readonly CellSummary[], axes: readonly A[]): A[] {
  return axes.filter((axis) => new Set(cells.map((cell) => cell[axis])).size > 1);
}

/** "grader · grade-python · command · netns reused · concurrency 4": only the given axes, or '' when there are none. */
export function variantLabel(cell: CellSummary, axes: readonly VariantAxis[]): string {
  return axes.map((axis) => (axis === 'concurrency' || axis === 'netns' || axis === 'cgroup' ? `${axis} ${cell[axis]}` : cell[axis])).join(SEP);
}

/**
 * The variant as a figure's part is named: like variantLabel, but leaving out what every
 * container gets unless a lever is pulled (a fresh network namespace and cgroup) and writing
 * concurrency as "N=8"; the full label when nothing else is left.
 */
export function pieceLabel(cell: CellSummary, axes: readonly VariantAxis[]): string {
  const parts = axes.flatMap((axis) => {
    if ((axis === 'netns' || axis === 'cgroup') && cell[axis] === 'fresh') return [];
    if (axis === 'concurrency') return [`N=${cell.concurrency}`];
    return axis === 'netns' || axis === 'cgroup' ? [`${axis} ${cell[axis]}`] : [String(cell[axis])];
  });
  return parts.length > 0 ? parts.join(SEP) : variantLabel(cell, axes);
}

/** Values in order of first appearance, duplicates dropped. */
export function uniqueInOrder<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** The lowest concurrency measured: one container at a time, what the life cycle itself costs. */
export function lowestConcurrency(cells: readonly CellSummary[]): number {
  return Math.min(...cells.map((cell) => cell.concurrency));
}

/**
 * The workload a figure about one workload shows: the first grading workload measured
 * (grade-…), else noop, else the first one measured.
 */
export function referenceWorkload(cells: readonly CellSummary[]): string | undefined {
  const workloads = uniqueInOrder(cells.map((cell) => cell.workload));
  return workloads.find((w) => w.startsWith('grade-')) ?? workloads.find((w) => w === 'noop') ?? workloads[0];
}

/** Tarball size of each image in MiB, from the manifest; images without a record are absent. */
export function imageMiB(manifest: Manifest | undefined): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const [name, image] of Object.entries(manifest?.images ?? {})) {
    if (Number.isFinite(image.tarballBytes) && image.tarballBytes > 0) sizes.set(name, image.tarballBytes / 2 ** 20);
  }
  return sizes;
}

/**
 * How a storage driver gives a container its root filesystem: a full copy of the image, or
 * a copy-on-write view of it that copies only what the container changes.
 */
export function storageStrategy(driver: string): 'deep copy' | 'copy-on-write' {
  return DEEP_COPY_DRIVERS.has(driver) ? 'deep copy' : 'copy-on-write';
}
/** copy: cp -a of the rootfs; vfs: Docker's and Podman's copying driver; dir: LXC's/LXD's directory backend. */
const DEEP_COPY_DRIVERS = new Set(['copy', 'vfs', 'dir']);

/**
 * Tick values for a log axis from `low` to `high`: 1, 2 and 5 times the powers of ten,
 * thinned to whole decades when that would make more than eight ticks, and every whole
 * multiple (1…9) when the range is too narrow for three.
 */
export function logTicks(low: number, high: number): number[] {
  if (!(low > 0) || !(high > 0)) return [];
  const within = (mantissas: readonly number[]) => {
    const ticks: number[] = [];
    for (let exponent = Math.floor(Math.log10(low)); exponent <= Math.ceil(Math.log10(high)); exponent++) {
      for (const mantissa of mantissas) {
        const value = Number((mantissa * 10 ** exponent).toPrecision(1));
        if (value >= low / 1.0001 && value <= high * 1.0001) ticks.push(value);
      }
    }
    return ticks;
  };
  const ticks = within([1, 2, 5]);
  // A narrow range (less than a decade) gets every whole multiple instead.
  if (ticks.length < 3) return within([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  if (ticks.length <= 8) return ticks;
  return ticks.filter((value) => /^1(0*|\.0*1)?$|^0\.0*1$/.test(String(value)));
}
