import type { MatrixProblem } from './types.ts';

/**
 * An error a user can act on. The CLI prints `message` (never a stack) and exits with
 * `exitCode`; `code` is stable so tests assert it instead of the wording.
 */
export class CrbenchError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CrbenchError';
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A matrix that failed to load: every problem, each with file, line and column. */
export class MatrixError extends CrbenchError {
  readonly problems: MatrixProblem[];

  constructor(problems: MatrixProblem[]) {
    super('MATRIX_INVALID', problems.map(formatProblem).join('\n'), { exitCode: 2 });
    this.problems = problems;
  }
}

/** `file:line:col message`, the form editors and CI logs turn into links. */
export function formatProblem(problem: MatrixProblem): string {
  return `${problem.file}:${problem.line}:${problem.col} ${problem.message}`;
}
