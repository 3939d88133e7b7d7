import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { SourcePosition } from '../types.ts';
import { messages } from './messages.ts';
import type { LoadProblem, ProblemCode } from './problem-codes.ts';
import { expandIndentationTabs, findIndentationTabs } from './repair-indentation-tabs.ts';

export interface ParsedMatrixYaml {
  document: Document.Parsed;
  /** The document as plain data; only meaningful when `validatable`. */
  data: unknown;
  problems: LoadProblem[];
  /** True when the tree is sound enough that schema errors on it mean something. */
  validatable: boolean;
  /** A source offset in `document` → the 1-based position in the file as written. */
  positionOf(offset: number): SourcePosition;
}

/**
 * YAML text → document, data and every YAML-level problem with its position.
 *
 * Syntax errors make the tree unreliable, so schema validation only follows when the only
 * YAML problems are duplicate keys (whose tree is intact: the last value wins). Tabs used
 * for indentation are the exception: they are reported, then expanded and the text parsed
 * again, so the same run still reports every other problem.
 */
export function parseMatrixYaml(file: string, text: string): ParsedMatrixYaml {
  const parsed = parseText(file, text, (position) => position);
  if (parsed.document.errors.length === 0) return parsed;
  const tabs = findIndentationTabs(text);
  if (tabs.length === 0) return parsed;

  const repaired = expandIndentationTabs(text);
  const reparsed = parseText(file, repaired.text, repaired.originalPosition);
  const tabProblems = tabs.map((tab): LoadProblem => ({ file, ...tab, code: 'TAB_INDENT', message: messages.tabIndent() }));
  // A syntax error left on a re-indented line comes from guessing its level wrong.
  const tabLines = new Set(tabs.map((tab) => tab.line));
  const otherProblems = reparsed.problems.filter((problem) => problem.code !== 'YAML_SYNTAX' || !tabLines.has(problem.line));
  return { ...reparsed, problems: [...tabProblems, ...otherProblems] };
}

function parseText(
  file: string,
  text: string,
  originalPosition: (position: SourcePosition) => SourcePosition,
): ParsedMatrixYaml {
  const lineCounter = new LineCounter();
  // logLevel 'error' keeps yaml from printing process warnings (e.g. for collection keys);
  // what matters is reported as a problem instead.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const positionOf = (offset: number): SourcePosition => originalPosition(lineCounter.linePos(offset));
  const problemAt = (offset: number, code: ProblemCode, message: string): LoadProblem => ({
    file,
    ...positionOf(offset),
    code,
    message,
  });

  const problems: LoadProblem[] = [];
  const seenSyntaxPositions = new Set<string>();
  for (const error of document.errors) {
    const offset = error.pos[0];
    if (error.code === 'DUPLICATE_KEY') {
      problems.push(problemAt(offset, 'DUPLICATE_KEY', messages.duplicateKey(findKeyAt(document, offset))));
    } else if (error.code === 'TAB_AS_INDENT') {
      problems.push(problemAt(offset, 'TAB_INDENT', messages.tabIndent()));
    } else {
      // yaml often reports one mistake several ways at one spot; one problem per spot is enough.
      const { line, col } = positionOf(offset);
      if (seenSyntaxPositions.has(`${line}:${col}`)) continue;
      seenSyntaxPositions.add(`${line}:${col}`);
      problems.push(problemAt(offset, 'YAML_SYNTAX', messages.yamlSyntax(error.code, error.message)));
    }
  }

  const validatable = document.errors.every((error) => error.code === 'DUPLICATE_KEY');
  if (!validatable) return { document, data: null, problems, validatable, positionOf };
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // toJS refuses alias expansions that grow without bound ("billion laughs").
    const detail = error instanceof Error ? error.message : String(error);
    problems.push(problemAt(0, 'YAML_SYNTAX', messages.aliasBomb(detail)));
    return { document, data: null, problems, validatable: false, positionOf };
  }
  if (!isMap(document.contents)) {
    problems.push(problemAt(document.contents?.range?.[0] ?? 0, 'NOT_A_MAPPING', messages.notAMapping(data)));
    return { document, data, problems, validatable: false, positionOf };
  }
  return { document, data, problems, validatable, positionOf };
}

/** The text of the mapping key starting at `offset`, for naming a duplicate key. */
function findKeyAt(document: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(document, {
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.range?.[0] === offset) {
        found = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}
