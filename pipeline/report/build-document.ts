import type { Manifest, Summary } from '../types.ts';
import { buildProblemsSection } from './build-problems-section.ts';
import { buildResultsSection } from './build-results-section.ts';
import { buildSetupSection } from './build-setup-section.ts';
import type { ReportDocument } from './document-model.ts';
import { figurePaths } from './figure-paths.ts';

export interface BuildDocumentInput {
  summary: Summary;
  manifest: Manifest;
  /** The figures to place in the results, in order; numbered from 1. */
  figures: readonly { id: string; caption: string }[];
}

/**
 * Summary + manifest → the chapter as a format-neutral document:
 *
 * ```
 * # Measurements
 * ## Setup                     ← manifest: host, tools, filesystems, matrix, commands, workarounds
 * ## Results                   ← summary: table, figures, fastest configuration per phase
 * ## Skipped and failed cells  ← summary: skipped, failed, failed repetitions, set-aside lines
 * ```
 */
export function buildDocument(input: BuildDocumentInput): ReportDocument {
  const { summary, manifest } = input;
  const figures = input.figures.map((figure) => ({ ...figure, path: figurePaths(figure.id).svg }));
  return {
    title: `Measurements: ${summary.matrixName}`,
    blocks: [
      { kind: 'heading', level: 1, text: 'Measurements' },
      ...buildSetupSection(manifest),
      ...buildResultsSection(summary, figures),
      ...buildProblemsSection(summary),
    ],
  };
}
