import type { MatrixProblem } from '../types.ts';

/**
 * Every code a matrix problem can carry. Codes are stable (tests and tools match on them);
 * the wording of messages may change.
 */
export const PROBLEM_CODES = [
  /** The file is not well-formed YAML. */
  'YAML_SYNTAX',
  /** A key appears twice in one mapping. */
  'DUPLICATE_KEY',
  /** A tab is used for indentation, which YAML forbids. */
  'TAB_INDENT',
  /** The file is bigger than a matrix can sensibly be; it was not parsed. */
  'FILE_TOO_LARGE',
  /** The document is empty, a scalar or a list instead of a mapping. */
  'NOT_A_MAPPING',
  /** A key the schema does not define (often a typo). */
  'UNKNOWN_KEY',
  /** A required key is absent. */
  'MISSING_KEY',
  /** A value of the wrong kind: a string for a number, a scalar for a list, … */
  'WRONG_TYPE',
  /** A value outside its closed set (an unknown runtime, a schemaVersion other than 1). */
  'UNKNOWN_VALUE',
  /** A number outside its allowed range. */
  'OUT_OF_RANGE',
  /** An axis with no values, which would plan no cells at all. */
  'EMPTY_AXIS',
  /** The same value listed twice in one axis, which would measure a cell twice. */
  'DUPLICATE_VALUE',
  /** A name that would reach a path or a command and is not a safe identifier. */
  'BAD_NAME',
  /** Anything the schema rejects that no code above describes (a schema newer than this code). */
  'INVALID_VALUE',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** A MatrixProblem whose code is one of ours, so a typo in a code is a type error. */
export interface LoadProblem extends MatrixProblem {
  code: ProblemCode;
}
