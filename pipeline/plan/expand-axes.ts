import { AXES, type Matrix } from '../types.ts';
import type { Combination } from './find-skip-reason.ts';

/** What an axis a matrix does not name takes: the one value the schema defaults it to. */
export const AXIS_DEFAULTS = { lifecycle: ['exec'], netns: ['fresh'], cgroup: ['fresh'] } as const;

/**
 * The cartesian product of the matrix axes: runtime outermost, concurrency innermost, and
 * each axis in the order its values are listed in the file, so the file decides run order.
 */
export function expandAxes(axes: Matrix['axes']): Combination[] {
  let partials: Partial<Combination>[] = [{}];
  for (const axis of AXES) {
    // The schema fills these in for a file; a matrix built in code may leave them out.
    const values: readonly (string | number)[] = axes[axis] ?? AXIS_DEFAULTS[axis as keyof typeof AXIS_DEFAULTS] ?? [];
    partials = partials.flatMap((partial) => values.map((value) => ({ ...partial, [axis]: value })));
  }
  return partials as Combination[];
}
