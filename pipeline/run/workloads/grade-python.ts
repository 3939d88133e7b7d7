import { expectOutput } from './expect-output.ts';
import type { Workload } from './workload.ts';

/** What the task's tests print for workloads/grade-python/student/: three of eight fail on purpose. */
export const GRADE_PYTHON_OUTPUT = `PASS test_fizzbuzz
FAIL test_is_palindrome_case
PASS test_is_palindrome_plain
PASS test_mean
FAIL test_mean_empty
PASS test_roman_simple
FAIL test_roman_subtractive
PASS test_word_count
score: 5/8
`;

/**
 * Grades a Python submission: the task's `run` starts python3, whose unittest tests import
 * the student's module and print one line per test and the score. Needs the grader image.
 */
export const gradePython: Workload = {
  name: 'grade-python',
  argv: ['/bin/sh', '/task/grade-python/run'],
  check: (record) => expectOutput(record, GRADE_PYTHON_OUTPUT),
};
