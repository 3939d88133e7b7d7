import type { Cell, HostFacts, Matrix } from '../types.ts';
import { expandAxes } from './expand-axes.ts';
import { findSkipReason, impossibleByDesign, type Combination } from './find-skip-reason.ts';

/**
 * Stage 2: a matrix and what the host offers → every cell, in run order, each feasible or
 * skipped with the reason. Pure: the host was probed beforehand.
 *
 * ```
 *   Matrix.parts ─ 1 expand (listed order, union) ──▶ combinations
 *                   2 name   (id, groupId from values only)
 *   HostFacts ───── 3 judge  (feasibility table) ──▶ Cell[]
 * ```
 * Infeasible cells stay in the plan, marked, so a report can say what was not measured and why.
 */
export function planCells(matrix: Pick<Matrix, 'axes'> & Partial<Pick<Matrix, 'parts'>>, host: HostFacts): Cell[] {
  // 1 expand each part; a cell in two parts is planned once, where it first appears
  const parts = matrix.parts ?? [{ name: '', axes: matrix.axes }];
  const seen = new Set<string>();
  const combinations = parts.flatMap((part) => expandAxes(part.axes)).filter((combination) => {
    const id = cellId(combination);
    return seen.has(id) ? false : (seen.add(id), true);
  });
  return combinations.map((combination) => {
    // 2 name
    const named = { id: cellId(combination), groupId: cellGroupId(combination), ...combination };
    // 3 judge
    const skipReason = findSkipReason(combination, host);
    if (skipReason === undefined) return { ...named, feasible: true };
    return { ...named, feasible: false, skipReason, ...(impossibleByDesign(combination).length > 0 ? { skipByDesign: true } : {}) };
  });
}

/**
 * `runc.copy.ext4.tiny.noop.exec.c1`: the values only, so an id survives reordering and
 * re-planning. A namespace or cgroup that is not made fresh adds `.netns-reused`, `.cgroup-reused`.
 */
export function cellId(combination: Combination): string {
  const { runtime, storageDriver, filesystem, image, workload, lifecycle, netns, cgroup, concurrency } = combination;
  const levers = `${netns === 'fresh' ? '' : `.netns-${netns}`}${cgroup === 'fresh' ? '' : `.cgroup-${cgroup}`}`;
  return `${runtime}.${storageDriver}.${filesystem}.${image}.${workload}.${lifecycle}${levers}.c${concurrency}`;
}

/** Cells sharing runtime, driver and filesystem share one provisioned volume. */
export function cellGroupId({ runtime, storageDriver, filesystem }: Combination): string {
  return `${runtime}.${storageDriver}.${filesystem}`;
}
