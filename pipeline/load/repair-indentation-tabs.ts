import type { SourcePosition } from '../types.ts';

/**
 * Tabs in the leading whitespace of a line, at their own line and column. yaml reports
 * some of them as TAB_AS_INDENT and others only as a BAD_INDENT on a later line that does
 * not mention the tab at all, so they are found here instead. Only meaningful on text that
 * failed to parse: a tab is legal in flow context and inside block scalars.
 */
export function findIndentationTabs(text: string): SourcePosition[] {
  const tabs: SourcePosition[] = [];
  splitLines(text).forEach((lineText, index) => {
    const indentation = leadingWhitespace(lineText);
    const tabIndex = indentation.indexOf('\t');
    if (tabIndex >= 0 && indentation.length < lineText.length) tabs.push({ line: index + 1, col: tabIndex + 1 });
  });
  return tabs;
}

export interface RepairedText {
  text: string;
  /** A position in the repaired text → the same spot in the original text. */
  originalPosition(position: SourcePosition): SourcePosition;
}

/**
 * The text with each tab-indented line re-indented with spaces at the level it most likely
 * meant. Parsing this instead of giving up on the first tab lets one run report the tab
 * *and* every other problem, without yaml's cascade of indentation errors after a tab.
 *
 * The intended level is a guess: a tab usually creeps in where the neighbouring lines are
 * space-indented, so the line is put level with the content line above it, or one unit
 * deeper when that line opens a block (ends with `:`).
 */
export function expandIndentationTabs(text: string): RepairedText {
  const unit = guessIndentWidth(text);
  /** Per re-indented line: [original indentation length, new indentation length]. */
  const reindentedLines = new Map<number, [number, number]>();
  let previous: { indentation: number; opensBlock: boolean } = { indentation: 0, opensBlock: false };
  const lines = text.split('\n').map((lineText, index) => {
    const indentation = leadingWhitespace(lineText);
    const content = lineText.slice(indentation.length);
    let result = lineText;
    let width = indentation.length;
    if (indentation.includes('\t') && content.trim() !== '') {
      width = previous.indentation + (previous.opensBlock ? unit : 0);
      reindentedLines.set(index + 1, [indentation.length, width]);
      result = ' '.repeat(width) + content;
    }
    if (content.trim() !== '' && !content.startsWith('#')) {
      previous = { indentation: width, opensBlock: /:\s*(#.*)?\r?$/.test(content) };
    }
    return result;
  });
  return {
    text: lines.join('\n'),
    originalPosition({ line, col }) {
      const lengths = reindentedLines.get(line);
      if (lengths === undefined) return { line, col };
      const [originalLength, newLength] = lengths;
      // Inside the new indentation there is no exact counterpart; the line start will do.
      return { line, col: col > newLength ? col - newLength + originalLength : 1 };
    },
  };
}

/** The smallest indentation of a space-indented content line: the unit the author indents by. */
function guessIndentWidth(text: string): number {
  let width = Number.POSITIVE_INFINITY;
  for (const lineText of splitLines(text)) {
    const indentation = leadingWhitespace(lineText);
    const content = lineText.slice(indentation.length);
    if (indentation.length > 0 && !indentation.includes('\t') && content !== '' && !content.startsWith('#')) {
      width = Math.min(width, indentation.length);
    }
  }
  return Number.isFinite(width) ? width : 2;
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

function leadingWhitespace(lineText: string): string {
  return /^[ \t]*/.exec(lineText)?.[0] ?? '';
}
