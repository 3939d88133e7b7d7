import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Manifest, Summary } from '../types.ts';
import { buildDocument } from './build-document.ts';
import { figurePaths } from './figure-paths.ts';
import { REPORT_FORMATS } from './formats/index.ts';
import type { FigureAsset } from './formats/report-format.ts';

export interface WriteReportInput {
  summary: Summary;
  manifest: Manifest;
  /** The rendered figures (stage 7), written beside the chapter and embedded in it. */
  figures: readonly (FigureAsset & { caption: string; specJson: string })[];
  /** Created when missing; files already there with the same names are replaced. */
  outDir: string;
}

/**
 * Stage 8: Summary + manifest → the chapter in every registered format, with its figures.
 * Reads no clock and no environment, so the same inputs write the same bytes.
 *
 * ```
 * summary ─1─▶ figures: spec (figures/<id>.vl.json) + SVG (figures/<id>.svg)
 *         ─2─▶ document (format-neutral, from summary + manifest)
 *         ─3─▶ each format: chapter5.md, chapter5.html, …
 * ```
 *
 * @returns the paths written (joined onto outDir), in the order written.
 */
export async function writeReport(input: WriteReportInput): Promise<string[]> {
  const { summary, manifest, figures, outDir } = input;
  const written: string[] = [];
  const write = async (relativePath: string, content: string) => {
    const path = join(outDir, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content, 'utf8');
    written.push(path);
  };

  // 1. Figures, rendered by the chart stage and handed over ready-made.
  for (const figure of figures) {
    const paths = figurePaths(figure.id);
    await write(paths.spec, figure.specJson);
    await write(paths.svg, figure.svg);
  }

  // 2. The document.
  const doc = buildDocument({ summary, manifest, figures });

  // 3. Every format.
  for (const format of REPORT_FORMATS) await write(format.fileName, format.render(doc, figures));
  return written;
}
