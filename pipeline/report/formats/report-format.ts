import type { ReportDocument } from '../document-model.ts';

/** A rendered figure as a format may embed it. */
export interface FigureAsset {
  id: string;
  svg: string;
}

/**
 * An output format of the report. A format only renders: it gets the finished document and
 * the figures and returns the file's text; writeReport does the writing. A new format is one
 * file implementing this plus one line in formats/index.ts.
 */
export interface ReportFormat {
  id: string;
  /** Written into the report folder under this name. */
  fileName: string;
  render(doc: ReportDocument, figures: readonly FigureAsset[]): string;
}
