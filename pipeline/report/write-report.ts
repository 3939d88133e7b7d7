import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Manifest, Summary } from '../types.ts';
import { buildDocument } from './build-document.ts';
import { figurePaths } from './figure-paths.ts';
import { REPORT_FORMATS } from './formats/index.ts';
import type { FigureAsset } from './formats/report-format.ts';

/** A rendered figure as the chart stage hands it over (RenderedFigure fits). */
export interface ReportFigure extends FigureAsset {
  caption: string;
  specJson: string;
  /** Written as figures/<id>.png when present. */
  png?: Uint8Array;
  /** Which part shows it (chart stage's placement); chapter 5 when absent. */
  placement?: 'chapter5' | 'appendix';
}

export interface WriteReportInput {
  summary: Summary;
  manifest: Manifest;
  /** The rendered figures (stage 7), written beside the chapter and embedded in it. */
  figures: readonly ReportFigure[];
  /** Created when missing; files already there with the same names are replaced. */
  outDir: string;
  /** The formats to write, by id (markdown, html, latex, csv, pdf); all by default. */
  formats?: readonly string[];
}

/**
 * Stage 8: Summary + manifest → the report (chapter 4, chapter 5, the appendix) in every
 * registered format, with its figures.
 * Reads no clock and no environment, so the same inputs write the same bytes (pdflatex
 * runs with its clock pinned; see formats/pdf.ts).
 *
 * ```
 * figures ─1─▶ figures/<id>.vl.json, .svg, .pdf, .png (as rendered by the chart stage)
 * summary ─2─▶ document (format-neutral, from summary + manifest; three parts, numbered 4.1…, 5.1…, A.1…)
 *         ─3─▶ markdown: chapter4.md, chapter5.md, appendix.md
 *              html:     measurements.html (the three parts on one offline page)
 *              latex:    chapter4.tex, chapter5.tex, appendix.tex, numbers.tex
 *              csv:      tables/<csv>.csv, one per table with a CSV stem
 *              pdf:      measurements.pdf (every part), chapter5.pdf (chapter 5 alone)
 * ```
 *
 * @returns the paths written (joined onto outDir), in the order written.
 */
export async function writeReport(input: WriteReportInput): Promise<string[]> {
  const { summary, manifest, figures, outDir } = input;
  const formats = REPORT_FORMATS.filter((format) => input.formats === undefined || input.formats.includes(format.id));
  const written: string[] = [];
  const write = async (relativePath: string, content: string | Uint8Array) => {
    const path = join(outDir, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    written.push(path);
  };

  // 1. Figures, rendered by the chart stage and handed over ready-made.
  for (const figure of figures) {
    const paths = figurePaths(figure.id);
    await write(paths.spec, figure.specJson);
    await write(paths.svg, figure.svg);
    if (figure.pdf) await write(paths.pdf, figure.pdf);
    if (figure.png) await write(paths.png, figure.png);
  }

  // 2. The document.
  const doc = buildDocument({ summary, manifest, figures });

  // 3. Every format, each rendered completely before any of its files is written.
  const claimed = new Map<string, string>();
  for (const format of formats) {
    const files = await format.render(doc, figures);
    const expected = format.fileNames(doc);
    if (files.length !== expected.length || files.some((file, index) => file.path !== expected[index])) {
      throw new Error(`format ${format.id} rendered ${files.map((file) => file.path).join(', ')} but names ${expected.join(', ')}`);
    }
    for (const file of files) {
      const other = claimed.get(file.path);
      if (other !== undefined) throw new Error(`formats ${other} and ${format.id} both write ${file.path}`);
      claimed.set(file.path, format.id);
    }
    for (const file of files) await write(file.path, file.content);
  }
  return written;
}
