import { expectOutput } from './expect-output.ts';
import type { Workload } from './workload.ts';

/** Iterations of the kernel: about 0.2 s in busybox awk on the 2-core CI host. */
export const CPU_ITERATIONS = 400_000;

/**
 * The kernel: the MINSTD generator (x ← 48271·x mod 2³¹−1) summed modulo 10⁹+7. Every
 * intermediate stays below 2⁵³, so awk's doubles compute it exactly.
 */
export const CPU_PROGRAM =
  `BEGIN { x = 1; s = 0; for (i = 0; i < ${CPU_ITERATIONS}; i++) { x = (x * 48271) % 2147483647; s = (s + x) % 1000000007 }; printf "%d\\n", s }`;

/** What the kernel prints, computed here independently (the check's reference). */
export function cpuChecksum(iterations: number): number {
  let x = 1;
  let s = 0;
  for (let i = 0; i < iterations; i += 1) {
    x = (x * 48271) % 2147483647;
    s = (s + x) % 1000000007;
  }
  return s;
}

const EXPECTED = `${cpuChecksum(CPU_ITERATIONS)}\n`;

/**
 * A fixed compute kernel, the same code in every runtime and image: it runs the static
 * busybox's awk, which both images carry as /bin/busybox (the grader image's own awk is
 * mawk, about three times faster, which would make the image axis compare interpreters).
 */
export const cpu: Workload = {
  name: 'cpu',
  argv: ['/bin/busybox', 'awk', CPU_PROGRAM],
  check: (record) => expectOutput(record, EXPECTED),
};
