/**
 * A format-neutral report: blocks of plain text with just enough structure for Markdown,
 * HTML and LaTeX to render it each in its own way. Text here is never escaped or marked up;
 * escaping is the job of each format, so no format can be fooled by another's syntax.
 */

/** A run of text; `code` marks commands, paths and identifiers (monospace, verbatim). */
export interface Span {
  text: string;
  code?: boolean;
}

/** Inline content: a sequence of spans. */
export type Inline = Span[];

export interface TableColumn {
  title: string;
  /** Numbers are right-aligned so their digits line up. */
  align: 'left' | 'right';
}

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; content: Inline }
  | { kind: 'list'; items: Inline[] }
  | { kind: 'table'; columns: TableColumn[]; rows: Inline[][] }
  /** `path` is relative to the report, e.g. figures/phase-medians.svg. */
  | { kind: 'figure'; id: string; number: number; caption: string; path: string };

export interface ReportDocument {
  /** The document's title as a window or tab shows it (the first heading is separate). */
  title: string;
  blocks: Block[];
}

/** Plain text. */
export function text(value: string): Span {
  return { text: value };
}

/** Verbatim text: a command, a path, an identifier. */
export function code(value: string): Span {
  return { text: value, code: true };
}
