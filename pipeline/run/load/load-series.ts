import { deriveSeed, mulberry32 } from '../../statistics/seeded-random.ts';
import type { Cell, LoadExperiment, LoadTarget } from '../../types.ts';

/** The storage driver a load target gets when it names none: the runtime's usual copy-on-write one. */
export const DEFAULT_LOAD_DRIVERS: Record<string, string> = {
  runc: 'overlay', crun: 'overlay', runsc: 'overlay', podman: 'overlay', docker: 'overlay2', 'docker-cli': 'overlay2', lxc: 'overlayfs', lxd: 'dir',
};
export const DEFAULT_LOAD_FILESYSTEM = 'ext4';

/**
 * One configuration of the load experiment as a cell (concurrency = its slots), so that the
 * plan's feasibility table, the image builder and the runtime adapters take it as they take
 * any cell. Its id starts with `load.`: no cell of the axes has such an id.
 */
export function loadSeriesCell(target: LoadTarget, load: Pick<LoadExperiment, 'image' | 'workload' | 'lifecycle'>, slots: number): Omit<Cell, 'feasible'> {
  const engine = target.runtime.split('+')[0] ?? target.runtime;
  const storageDriver = target.storageDriver ?? DEFAULT_LOAD_DRIVERS[engine] ?? 'copy';
  const filesystem = target.filesystem ?? DEFAULT_LOAD_FILESYSTEM;
  const groupId = `${target.runtime}.${storageDriver}.${filesystem}`;
  return {
    id: `load.${groupId}.${load.image}.${load.workload}.${load.lifecycle}`, groupId, runtime: target.runtime, storageDriver, filesystem,
    image: load.image, workload: load.workload, lifecycle: load.lifecycle, netns: 'fresh', cgroup: 'fresh', concurrency: slots,
  };
}

/** The key of one rate step of one series in one repeat (resume skips the steps it has). */
export function loadStepKey(cellId: string, rateStepIndex: number, repeat: number): string {
  return `${cellId}/${rateStepIndex}/${repeat}`;
}

/** The arrival stream's seed of a step: its series, rate and repeat, so no other step shifts it. */
export function loadStepSeed(seed: number, cellId: string, ratePerSecond: number, repeat: number): number {
  return deriveSeed(seed, `load/${cellId}/${ratePerSecond}/${repeat}`);
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = mulberry32(seed);
  const result = [...items];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

/**
 * The order of the load experiment, as the blocks of the cells are ordered: repeat by repeat,
 * the series in a seeded order (each on a freshly provisioned volume), and within a series its
 * rate steps in a seeded order, so slow drift of the machine does not line up with the rate.
 */
export function scheduleLoadSteps(seriesIds: readonly string[], rateCount: number, repeats: number, seed: number): { repeat: number; cellId: string; rateStepIndexes: number[] }[] {
  const units: { repeat: number; cellId: string; rateStepIndexes: number[] }[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    for (const cellId of shuffled(seriesIds, deriveSeed(seed, `load/order/${repeat}`))) {
      units.push({ repeat, cellId, rateStepIndexes: shuffled(Array.from({ length: rateCount }, (_, index) => index), deriveSeed(seed, `load/order/${repeat}/${cellId}`)) });
    }
  }
  return units;
}
