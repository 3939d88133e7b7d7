import { expectOutput } from './expect-output.ts';
import type { Workload } from './workload.ts';

/**
 * What the task's tests print for the submission in workloads/grade-c/student/: three of
 * ten tests fail on purpose, so only a real compile and run prints this.
 */
export const GRADE_C_OUTPUT = `PASS factorial(5)
FAIL factorial(0): expected 1, got 0
PASS gcd(12, 18)
PASS gcd(7, 0)
PASS is_prime(97)
PASS is_prime(91)
FAIL is_prime(1): expected 0, got 1
FAIL sum_array({3, 4, 5}): expected 12, got 9
PASS reverse("grading")
PASS count_char("banana", 'a')
score: 7/10
`;

/**
 * Grades a C submission the INGInious way: the task's `run` builds it with the teacher's
 * Makefile (gcc -O2, in a fresh folder of /tmp) and runs the teacher's tests. Needs the
 * grader image (gcc, make, /task).
 */
export const gradeC: Workload = {
  name: 'grade-c',
  argv: ['/bin/sh', '/task/grade-c/run'],
  check: (record) => expectOutput(record, GRADE_C_OUTPUT),
};
