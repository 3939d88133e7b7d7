import { AXES, type Matrix } from '../types.ts';
import type { Combination } from './find-skip-reason.ts';

/**
 * The cartesian product of the matrix axes: runtime outermost, concurrency innermost, and
 * each axis in the order its values are listed in the file, so the file decides run order.
 */
export function expandAxes(axes: Matrix['axes']): Combination[] {
  let partials: Partial<Combination>[] = [{}];
  for (const axis of AXES) {
    const values: readonly (string | number)[] = axes[axis];
    partials = partials.flatMap((partial) => values.map((value) => ({ ...partial, [axis]: value })));
  }
  return partials as Combination[];
}
