import { REPORT_PARTS, type ReportDocument, type ReportPart } from '../document-model.ts';

/** A rendered figure as a format may embed it. */
export interface FigureAsset {
  id: string;
  svg: string;
  /** The figure as PDF, for LaTeX; the LaTeX and PDF formats need it. */
  pdf?: Uint8Array;
}

/** A file a format writes: its path relative to the report folder and its content. */
export interface ReportFile {
  path: string;
  content: string | Uint8Array;
}

/**
 * An output format of the report. A format only renders: it gets the finished document and
 * the figures and returns its files; writeReport does the writing. A new format is one
 * file implementing this plus one line in formats/index.ts.
 */
export interface ReportFormat {
  id: string;
  /**
   * The files `render` returns for this document, in that order, relative to the report
   * folder: one per part for most formats (a unit test's document may lack a part), one per
   * table with a `csv` stem for the CSV format.
   */
  fileNames(doc: ReportDocument): readonly string[];
  render(doc: ReportDocument, figures: readonly FigureAsset[]): ReportFile[] | Promise<ReportFile[]>;
}

/**
 * The document's parts in REPORT_PARTS order (chapter 4, chapter 5, appendix), each at most
 * once: a part twice would write one file over the other, so it is a builder's bug.
 */
export function partsInOrder(doc: ReportDocument): ReportPart[] {
  const seen = new Set<string>();
  for (const part of doc.parts) {
    if (seen.has(part.id)) throw new Error(`the report document has part ${part.id} twice`);
    seen.add(part.id);
  }
  return [...doc.parts].sort((a, b) => REPORT_PARTS.indexOf(a.id) - REPORT_PARTS.indexOf(b.id));
}
