/**
 * The total length of a union of intervals [start, end] (ms): the time at least one of them
 * was open. A batch's makespan is this over its containers' phases.
 */
export function unionLengthMs(intervals: readonly (readonly [number, number])[]): number {
  const sorted = [...intervals].filter(([start, end]) => end >= start).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let openStart: number | undefined;
  let openEnd = Number.NEGATIVE_INFINITY;
  for (const [start, end] of sorted) {
    if (openStart === undefined || start > openEnd) {
      if (openStart !== undefined) total += openEnd - openStart;
      openStart = start;
      openEnd = end;
    } else {
      openEnd = Math.max(openEnd, end);
    }
  }
  return openStart === undefined ? 0 : total + (openEnd - openStart);
}
