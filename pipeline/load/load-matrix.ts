import { createHash } from 'node:crypto';
import { MatrixError } from '../errors.ts';
import { AXES, type Matrix, type MatrixSource, type SourcePosition } from '../types.ts';
import { locateOffset } from './locate-node.ts';
import { messages } from './messages.ts';
import { parseMatrixYaml } from './parse-matrix-yaml.ts';
import type { LoadProblem } from './problem-codes.ts';
import { MAX_MATRIX_BYTES, readMatrixFile } from './read-matrix-file.ts';
import { validateMatrix } from './validate-matrix.ts';

export type { LoadProblem, ProblemCode } from './problem-codes.ts';
export { PROBLEM_CODES } from './problem-codes.ts';

/**
 * Stage 1: a matrix file → a validated Matrix with every default filled in.
 *
 * ```
 *   path
 *    │ 1 read      bytes (size checked first)        ─ unreadable → CrbenchError MATRIX_UNREADABLE
 *    │ 2 parse     YAML document + line counter       ─ syntax, tabs, duplicate keys, not a mapping
 *    │ 3 validate  ajv against matrix.schema.json     ─ unknown/missing keys, types, ranges, values
 *    ▼ 4 return    { matrix, source: path, text, sha256 }
 * ```
 * Every problem found is reported at once, sorted by position, in one MatrixError (exit 2):
 * fixing a matrix one error per run is tedious.
 */
export async function loadMatrix(path: string): Promise<{ matrix: Matrix; source: MatrixSource }> {
  // 1 read
  const read = await readMatrixFile(path);
  if (read.tooLarge) {
    throw new MatrixError([
      { file: path, line: 1, col: 1, code: 'FILE_TOO_LARGE', message: messages.fileTooLarge(read.sizeBytes, MAX_MATRIX_BYTES) },
    ]);
  }
  const text = read.bytes.toString('utf8');

  // 2 parse
  const parsed = parseMatrixYaml(path, text);
  const problems: LoadProblem[] = [...parsed.problems];

  // 3 validate (fills in defaults)
  if (parsed.validatable) {
    problems.push(...validateMatrix(path, parsed.data, parsed.document, parsed.positionOf));
    problems.push(...axesOrParts(path, parsed.data, parsed.document, parsed.positionOf));
  }
  if (problems.length > 0) throw new MatrixError(sortProblems(problems));

  // 4 return
  const sha256 = createHash('sha256').update(read.bytes).digest('hex');
  return { matrix: withParts(parsed.data as FileMatrix), source: { path, text, sha256 } };
}

/** A matrix as written: `axes` or `parts`, not yet normalised. */
type FileMatrix = Omit<Matrix, 'axes' | 'parts'> & { axes?: Matrix['axes']; parts?: Matrix['parts'] };

/** Exactly one of `axes` and `parts`, reported where it can be fixed. */
function axesOrParts(file: string, data: unknown, document: Parameters<typeof locateOffset>[0], positionOf: (offset: number) => SourcePosition): LoadProblem[] {
  const matrix = data as FileMatrix;
  if (matrix.axes !== undefined && matrix.parts !== undefined) {
    return [{ file, ...positionOf(locateOffset(document, ['parts'], 'key')), code: 'UNKNOWN_KEY', message: 'give either axes or parts, not both: parts replace the top-level axes' }];
  }
  if (matrix.axes === undefined && matrix.parts === undefined) {
    return [{ file, ...positionOf(locateOffset(document, [])), code: 'MISSING_KEY', message: 'missing key axes (or parts) in the top level: say which runtimes, storage drivers, filesystems, images, workloads and concurrencies to measure' }];
  }
  return [];
}

/**
 * Every matrix gets `parts` (one part named after the matrix when the file gives `axes`)
 * and `axes`, the union of the parts' axes in first-listed order: what the analysis takes
 * as each axis's order when it picks a comparison's baseline.
 */
export function withParts(matrix: FileMatrix): Matrix {
  const parts = matrix.parts ?? [{ name: matrix.name, axes: matrix.axes as Matrix['axes'] }];
  const union = Object.fromEntries(AXES.map((axis) => [axis, [...new Set(parts.flatMap((part) => part.axes[axis] as (string | number)[]))]])) as Matrix['axes'];
  return { ...matrix, axes: union, parts };
}

function sortProblems(problems: LoadProblem[]): LoadProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col || a.code.localeCompare(b.code));
}
