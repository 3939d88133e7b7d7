/**
 * Every message text stage 1 shows a user, in one place so the wording stays consistent.
 * A message names the place (`axes.runtime[1]`), what is wrong, and what to write instead.
 */

/** A step into the matrix: a key of a mapping or an index into a list. */
export type PathSegment = string | number;

/** `['axes', 'runtime', 1]` → `axes.runtime[1]`; `[]` → `the top level`. */
export function describePath(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the top level';
  return path
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('');
}

/** `storageDriver` → `storage driver`: axis keys read as words in messages. */
export function describeAxis(axis: string): string {
  return axis.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
}

/** A value as a user would recognise it in their file, with its kind when that is the problem. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') return `'${value}' (a string)`;
  if (typeof value === 'boolean') return `${value} (a boolean)`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

/** A schema example rendered as YAML flow, for "add e.g. `concurrency: [1]`". */
export function renderExample(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(renderExample).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${key}: ${renderExample(item)}`).join(', ')}}`;
  }
  return String(value);
}

function quoteList(values: readonly unknown[]): string {
  return values.map(String).join(', ');
}

function didYouMean(suggestion: string | undefined): string {
  return suggestion === undefined ? '' : `; did you mean '${suggestion}'?`;
}

export const messages = {
  cannotRead: (path: string, reason: string) => `${path}: cannot read: ${reason}`,
  fileTooLarge: (sizeBytes: number, limitBytes: number) =>
    `the file is ${sizeBytes} bytes; a matrix may be at most ${limitBytes} bytes (1 MiB), so it was not parsed`,
  yamlSyntax: (yamlCode: string, detail: string) =>
    yamlCode === 'MULTIPLE_DOCS'
      ? "YAML syntax error: a matrix file holds one YAML document; remove this '---' and what follows, or move it to a file of its own"
      : `YAML syntax error: ${detail}`,
  duplicateKey: (key: string | undefined) =>
    key === undefined
      ? 'this key appears twice in the same mapping; keep only one'
      : `key '${key}' appears twice in the same mapping; keep only one`,
  tabIndent: () => 'a tab is used for indentation; YAML allows only spaces there, so replace it with spaces',
  notAMapping: (value: unknown) =>
    `a matrix must be a mapping with at least schemaVersion, name and axes, got ${value === null ? 'an empty document' : describeValue(value)}`,
  aliasBomb: (detail: string) => `YAML aliases expand too far: ${detail}`,

  unknownKey: (path: readonly PathSegment[], key: string, known: readonly string[], suggestion: string | undefined) =>
    `unknown key '${key}' in ${describePath(path)}` +
    (suggestion === undefined ? `; expected one of: ${quoteList(known)}` : didYouMean(suggestion)),
  missingKey: (path: readonly PathSegment[], key: string, example: unknown) =>
    `missing key '${key}' in ${describePath(path)}` +
    (example === undefined ? '; add it' : `; add it, e.g. ${key}: ${renderExample(example)}`),
  wrongType: (path: readonly PathSegment[], expected: string, value: unknown) =>
    `${describePath(path)} must be ${expected}, got ${describeValue(value)}`,
  unknownAxisValue: (
    path: readonly PathSegment[],
    axis: string,
    value: unknown,
    allowed: readonly unknown[],
    suggestion: string | undefined,
  ) =>
    `${describePath(path)}: unknown ${describeAxis(axis)} '${String(value)}'; expected one of: ${quoteList(allowed)}` +
    (suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`),
  unknownValue: (path: readonly PathSegment[], value: unknown, allowed: readonly unknown[]) =>
    `${describePath(path)} must be ${allowed.length === 1 ? String(allowed[0]) : `one of: ${quoteList(allowed)}`}, got ${describeValue(value)}`,
  outOfRange: (path: readonly PathSegment[], minimum: number | undefined, maximum: number | undefined, value: unknown) =>
    `${describePath(path)} must be ${describeIntegerRange(minimum, maximum)}, got ${String(value)}`,
  emptyAxis: (path: readonly PathSegment[], example: unknown) =>
    `${describePath(path)} is empty; list at least one value` +
    (example === undefined ? '' : `, e.g. ${renderExample(example)}`),
  duplicateValue: (path: readonly PathSegment[], value: unknown, firstPath: readonly PathSegment[]) =>
    `${describePath(path)}: '${String(value)}' is already listed at ${describePath(firstPath)}; remove one, or each cell would be measured twice`,
  badName: (path: readonly PathSegment[], value: unknown) =>
    `${describePath(path)} '${String(value)}' is not a safe name: it reaches paths and commands, ` +
    'so use 1 to 63 lowercase letters, digits and dashes, starting with a letter or digit',
  badAxisValue: (path: readonly PathSegment[], axis: string, value: unknown, allowed: readonly unknown[]) =>
    `${describePath(path)}: '${String(value)}' is not a safe ${describeAxis(axis)} name` +
    (allowed.length > 0 ? `; expected one of: ${quoteList(allowed)}` : ''),
  invalidValue: (path: readonly PathSegment[], detail: string) => `${describePath(path)} ${detail}`,
};

/** `an integer from 1 to 10000`, `an integer of at least 0`, … */
export function describeIntegerRange(minimum: number | undefined, maximum: number | undefined): string {
  if (minimum !== undefined && maximum !== undefined) return `an integer from ${minimum} to ${maximum}`;
  if (minimum !== undefined) return `an integer of at least ${minimum}`;
  if (maximum !== undefined) return `an integer of at most ${maximum}`;
  return 'an integer';
}
