import type { ReportDocument } from '../document-model.ts';

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
  /** The files it returns, in that order, relative to the report folder. */
  fileNames: readonly string[];
  render(doc: ReportDocument, figures: readonly FigureAsset[]): ReportFile[] | Promise<ReportFile[]>;
}
