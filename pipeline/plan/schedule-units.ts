import { deriveSeed, mulberry32, type RandomSource } from '../statistics/seeded-random.ts';
import type { Cell, Matrix } from '../types.ts';

/**
 * One unit of work: a group's volume and runtime provisioned fresh, and some repetitions of
 * each of its cells run on it in the listed order.
 */
export interface WorkUnit {
  block: number;
  groupId: string;
  cells: { cell: Cell; firstRep: number; reps: number }[];
}

export interface ScheduleOptions {
  /** Run only shard `index` of `count` (0-based): whole groups, dealt round-robin. */
  shard?: { index: number; count: number };
  /** Measured repetitions each cell already has (resuming a run): they are not run again. */
  doneReps?: ReadonlyMap<string, number>;
}

function shuffled<T>(items: readonly T[], random: RandomSource): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

/** The feasible groups, in plan order, that shard `index` of `count` runs. */
export function groupsOfShard(cells: readonly Cell[], shard: ScheduleOptions['shard']): string[] {
  const groups = [...new Set(cells.filter((cell) => cell.feasible).map((cell) => cell.groupId))];
  return shard === undefined ? groups : groups.filter((_group, index) => index % shard.count === shard.index);
}

/**
 * The order of the whole run. Measured repetitions are cut into blocks of
 * `blockRepetitions`; block by block, the groups come in a seeded random order, and within a
 * group its cells, so slow drift of the machine (thermal, background load) spreads over every
 * configuration instead of biasing whichever ran last. The same seed gives the same order.
 * Repetitions already done are left out, so a resumed run only completes what is missing.
 */
export function scheduleUnits(cells: readonly Cell[], matrix: Pick<Matrix, 'repetitions' | 'blockRepetitions' | 'seed'>, options: ScheduleOptions = {}): WorkUnit[] {
  const groups = groupsOfShard(cells, options.shard);
  const cellsOf = new Map(groups.map((group) => [group, cells.filter((cell) => cell.feasible && cell.groupId === group)]));
  const blocks = Math.ceil(matrix.repetitions / matrix.blockRepetitions);
  const units: WorkUnit[] = [];
  for (let block = 0; block < blocks; block += 1) {
    const start = block * matrix.blockRepetitions;
    const end = Math.min(start + matrix.blockRepetitions, matrix.repetitions);
    for (const groupId of shuffled(groups, mulberry32(deriveSeed(matrix.seed, `order/block-${block}`)))) {
      const groupCells = shuffled(cellsOf.get(groupId) ?? [], mulberry32(deriveSeed(matrix.seed, `order/block-${block}/${groupId}`)));
      const planned = groupCells.flatMap((cell) => {
        const firstRep = Math.max(start, options.doneReps?.get(cell.id) ?? 0);
        return firstRep < end ? [{ cell, firstRep, reps: end - firstRep }] : [];
      });
      if (planned.length > 0) units.push({ block, groupId, cells: planned });
    }
  }
  return units;
}
