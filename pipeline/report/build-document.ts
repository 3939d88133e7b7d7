import type { Manifest, Summary } from '../types.ts';
import { buildInterpretationSection } from './build-interpretation-section.ts';
import { buildProblemsSection } from './build-problems-section.ts';
import { buildRecommendationsSection } from './build-recommendations-section.ts';
import { buildResultsSection } from './build-results-section.ts';
import { buildSetupSection } from './build-setup-section.ts';
import { buildSummarySection } from './build-summary-section.ts';
import { buildTestsSection } from './build-tests-section.ts';
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
 * ## Setup                     ← manifest: host, tools, filesystems, workarounds; summary: setup-step medians
 * ## Tests                     ← manifest: matrix, phases and commands, repetitions, statistics, limits
 * ## Results                   ← summary: per-configuration table, ranking, figures, fastest per phase
 * ## Interpretation            ← summary.comparisons: one sentence per pair of values and phase, by axis
 * ## Recommendations           ← summary: ranking for the reference workload, isolation classes
 * ## Summary                   ← summary: a few generated sentences
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
      ...buildSetupSection(manifest, summary),
      ...buildTestsSection(manifest, summary),
      ...buildResultsSection(summary, figures),
      ...buildInterpretationSection(summary),
      ...buildRecommendationsSection(summary, manifest),
      ...buildSummarySection(summary),
      ...buildProblemsSection(summary),
    ],
  };
}
