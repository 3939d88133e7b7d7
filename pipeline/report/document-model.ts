/**
 * A format-neutral report: blocks of plain text with just enough structure for Markdown,
 * HTML and LaTeX to render it each in its own way. Text here is never escaped or marked up;
 * escaping is the job of each format, so no format can be fooled by another's syntax.
 */

/** A run of text. At most one of `code`, `stat` and `ref` is set. */
export interface Span {
  text: string;
  /** Commands, paths and identifiers: monospace, verbatim. */
  code?: boolean;
  /**
   * A statistic, `text` its formatted value and `stat` its name as words, e.g.
   * ['runc', 'ext4', 'launch', 'median', 'ms']. Markdown and HTML show the text; LaTeX
   * writes a macro named after the words (\crbRuncExtFourLaunchMedianMs) and defines it
   * once in numbers.tex, so the thesis can cite the same number.
   */
  stat?: readonly string[];
  /**
   * A number an author may cite in their own prose: a semantic macro name, letters only and
   * without the prefix (`RecommendedTotalMs`). LaTeX writes `\<prefix><macro>` here and
   * defines it once in numbers.tex with \providecommand; the other formats show the text.
   * A `stat` span is plain text in every format (per-configuration macros are gone).
   */
  macro?: string;
  /** A numbered figure or table: "Figure 5.3" here, a \ref in LaTeX. */
  ref?: { kind: 'figure' | 'table'; id: string };
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
  | {
      kind: 'table';
      columns: TableColumn[];
      rows: Inline[][];
      /** A numbered table has an id (for references), a number and a caption. */
      id?: string;
      /** Per part: "4.1", "5.2", "A.3". */
      number?: string;
      caption?: string;
      /** Also written as tables/<csv>.csv (every table of the appendix has one). */
      csv?: string;
      /** Indices of rows that start a group; LaTeX leaves a little space before them. */
      groupStarts?: number[];
    }
  /** `path` is relative to the report, e.g. figures/phase-medians.svg. */
  | { kind: 'figure'; id: string; number: string; caption: string; path: string };

/** The thesis's chapters: 4 "Benchmark tool", 5 "Measurements", and the appendix. */
export const REPORT_PARTS = ['chapter4', 'chapter5', 'appendix'] as const;
export type ReportPartId = (typeof REPORT_PARTS)[number];

/**
 * One file per format and part (chapter4.md, chapter5.tex…). Its first block is its level-1
 * heading (\chapter); level 2 is a section, level 3 a subsection.
 */
export interface ReportPart {
  id: ReportPartId;
  blocks: Block[];
}

export interface ReportDocument {
  /** The document's title as a window or tab shows it (each part's first heading is separate). */
  title: string;
  /** Prefix of every LaTeX macro (`crb` → \crbRecommendedTotalMs), so two runs can both be input. */
  macroPrefix: string;
  /** In REPORT_PARTS order; a part may be missing only in a unit test's document. */
  parts: ReportPart[];
}

/** Plain text. */
export function text(value: string): Span {
  return { text: value };
}

/** Verbatim text: a command, a path, an identifier. */
export function code(value: string): Span {
  return { text: value, code: true };
}

/** A statistic: its formatted value, named by `key` (see Span.stat). */
export function stat(key: readonly (string | number)[], formatted: string): Span {
  return { text: formatted, stat: key.map(String) };
}

/** A number an author may cite: shown as `formatted`, \<prefix><name> in LaTeX (see Span.macro). */
export function macro(name: string, formatted: string): Span {
  return { text: formatted, macro: name };
}

/** "Figure 3" / "Table 2", pointing at the block with that id. */
export function ref(kind: 'figure' | 'table', id: string, number: number | string): Span {
  return { text: `${kind === 'figure' ? 'Figure' : 'Table'} ${number}`, ref: { kind, id } };
}

/** The text of some inline content, as a reader sees it. */
export function plainText(inline: Inline): string {
  return inline.map((span) => span.text).join('');
}
