import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Document } from 'yaml';
import type { SourcePosition } from '../types.ts';
import schema from '../../experiments/matrix.schema.json' with { type: 'json' };
import { locateOffset } from './locate-node.ts';
import { describeIntegerRange, messages, renderExample, type PathSegment } from './messages.ts';
import type { LoadProblem, ProblemCode } from './problem-codes.ts';
import { suggestClosest } from './suggest-closest.ts';

/** The parts of a JSON Schema node the messages draw on. */
interface SchemaNode {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  examples?: unknown[];
  items?: SchemaNode;
  properties?: Record<string, SchemaNode>;
}

/**
 * When one spot breaks several rules, the first of these names the problem: a wrong type
 * makes range and enum checks moot, an unsafe name is worse than an unknown one, …
 */
const KEYWORD_RANK = ['type', 'const', 'pattern', 'enum', 'minimum', 'maximum', 'minItems', 'uniqueItems'];

interface Candidate {
  /** Problems with the same location collapse to the one of lowest rank. */
  location: string;
  rank: number;
  problem: LoadProblem;
}

let compiled: ValidateFunction | undefined;

/** Compiled once: compiling is the slow part, and the schema never changes at run time. */
function matrixValidator(): ValidateFunction {
  // verbose: errors then carry the offending data and their parent schema, which the
  // messages need to say what to write instead.
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: true, verbose: true }).compile(schema);
  return compiled;
}

/**
 * Checks `data` against experiments/matrix.schema.json and fills in defaults (in place).
 * Each ajv error becomes a problem positioned on the YAML node it is about; several
 * errors about one spot become one problem.
 */
export function validateMatrix(
  file: string,
  data: unknown,
  document: Document,
  positionOf: (offset: number) => SourcePosition,
): LoadProblem[] {
  const validate = matrixValidator();
  if (validate(data)) return [];

  const locate: Locate = (path, pointAt) => ({ file, ...positionOf(locateOffset(document, path, pointAt)) });
  const byLocation = new Map<string, Candidate>();
  for (const error of validate.errors ?? []) {
    for (const candidate of describeError(error, data, locate)) {
      const current = byLocation.get(candidate.location);
      if (current === undefined || candidate.rank < current.rank) byLocation.set(candidate.location, candidate);
    }
  }
  return [...byLocation.values()].map((candidate) => candidate.problem);
}

type Locate = (path: readonly PathSegment[], pointAt?: 'value' | 'key') => { file: string; line: number; col: number };

function describeError(error: ErrorObject, root: unknown, locate: Locate): Candidate[] {
  const path = decodePointer(error.instancePath, root);
  const parentSchema = (error.parentSchema ?? {}) as SchemaNode;
  const value: unknown = error.data;
  const rank = KEYWORD_RANK.indexOf(error.keyword);
  const at = (code: ProblemCode, message: string, where: readonly PathSegment[] = path): Candidate => ({
    location: encodePointer(where),
    rank: rank < 0 ? KEYWORD_RANK.length : rank,
    problem: { ...locate(where), code, message },
  });
  const axis = axisOfItem(path);

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys(parentSchema.properties ?? {});
      return [
        {
          location: `${error.instancePath}#key:${key}`,
          rank: 0,
          problem: {
            ...locate([...path, key], 'key'),
            code: 'UNKNOWN_KEY',
            message: messages.unknownKey(path, key, known, suggestClosest(key, known)),
          },
        },
      ];
    }
    case 'required': {
      const key = String((error.params as { missingProperty: string }).missingProperty);
      return [
        {
          location: `${error.instancePath}#missing:${key}`,
          rank: 0,
          problem: {
            ...locate(path),
            code: 'MISSING_KEY',
            message: messages.missingKey(path, key, parentSchema.properties?.[key]?.examples?.[0]),
          },
        },
      ];
    }
    case 'type':
      return [at('WRONG_TYPE', messages.wrongType(path, describeExpectation(parentSchema), value))];
    case 'const':
      return [at('UNKNOWN_VALUE', messages.unknownValue(path, value, [parentSchema.const]))];
    case 'enum': {
      const allowed = parentSchema.enum ?? [];
      if (axis === undefined) return [at('UNKNOWN_VALUE', messages.unknownValue(path, value, allowed))];
      const suggestion = typeof value === 'string' ? suggestClosest(value, allowed.map(String)) : undefined;
      return [at('UNKNOWN_VALUE', messages.unknownAxisValue(path, axis, value, allowed, suggestion))];
    }
    case 'pattern':
      return [
        at(
          'BAD_NAME',
          axis === undefined
            ? messages.badName(path, value)
            : messages.badAxisValue(path, axis, value, parentSchema.enum ?? []),
        ),
      ];
    case 'minimum':
    case 'maximum':
      return [at('OUT_OF_RANGE', messages.outOfRange(path, parentSchema.minimum, parentSchema.maximum, value))];
    case 'minItems':
      return [at('EMPTY_AXIS', messages.emptyAxis(path, parentSchema.examples?.[0] ?? parentSchema.items?.enum?.[0]))];
    case 'uniqueItems':
      // ajv names one pair; every later repeat is its own mistake, each at its own spot.
      return findRepeats(value).map(({ index, firstIndex }) =>
        at('DUPLICATE_VALUE', messages.duplicateValue([...path, index], (value as unknown[])[index], [...path, firstIndex]), [...path, index]),
      );
    default:
      return [at('INVALID_VALUE', messages.invalidValue(path, error.message ?? `breaks the schema rule '${error.keyword}'`))];
  }
}

/** `an integer from 1 to 10000`, `a list, e.g. [runc, crun]`, `one of: runc, crun`, … */
function describeExpectation(schemaNode: SchemaNode): string {
  const type = Array.isArray(schemaNode.type) ? schemaNode.type.join(' or ') : schemaNode.type;
  if (schemaNode.const !== undefined) return String(schemaNode.const);
  if (schemaNode.enum !== undefined) return `one of: ${schemaNode.enum.map(String).join(', ')}`;
  switch (type) {
    case 'integer':
      return describeIntegerRange(schemaNode.minimum, schemaNode.maximum);
    case 'array': {
      const example = schemaNode.examples?.[0];
      return example === undefined ? 'a list' : `a list, e.g. ${renderExample(example)}`;
    }
    case 'object':
      return 'a mapping';
    case 'string':
      return 'a string';
    default:
      return `of type ${type ?? 'unknown'}`;
  }
}

/** The axis a path points into an item of (`axes.runtime[1]` → `runtime`), if any. */
function axisOfItem(path: readonly PathSegment[]): string | undefined {
  return path.length === 3 && path[0] === 'axes' && typeof path[2] === 'number' ? String(path[1]) : undefined;
}

/** Each index whose value already appeared earlier in the list, with that earlier index. */
function findRepeats(list: unknown): { index: number; firstIndex: number }[] {
  if (!Array.isArray(list)) return [];
  const firstIndexOf = new Map<string, number>();
  const repeats: { index: number; firstIndex: number }[] = [];
  list.forEach((item, index) => {
    const key = JSON.stringify(item);
    const firstIndex = firstIndexOf.get(key);
    if (firstIndex === undefined) firstIndexOf.set(key, index);
    else repeats.push({ index, firstIndex });
  });
  return repeats;
}

/**
 * A JSON Pointer as path segments, with list indices as numbers: whether `0` is a key or
 * an index depends on the data, so the data is walked alongside.
 */
function decodePointer(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      path.push(Number(key));
      node = node[Number(key)];
    } else {
      path.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}

function encodePointer(path: readonly PathSegment[]): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
