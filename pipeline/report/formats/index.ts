import { csvFormat } from './csv.ts';
import { htmlFormat } from './html.ts';
import { latexFormat } from './latex.ts';
import { markdownFormat } from './markdown.ts';
import { pdfFormat } from './pdf.ts';
import type { ReportFormat } from './report-format.ts';

export type { FigureAsset, ReportFile, ReportFormat } from './report-format.ts';

/** Every format writeReport writes, in this order. A new format: one file, one line here. */
export const REPORT_FORMATS: readonly ReportFormat[] = [markdownFormat, htmlFormat, latexFormat, csvFormat, pdfFormat];
