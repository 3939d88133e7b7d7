import type { Manifest, Summary } from '../types.ts';
import { buildInterpretationSection } from './build-interpretation-section.ts';
import { buildProblemsSection } from './build-problems-section.ts';
import { buildRecommendationsSection } from './build-recommendations-section.ts';
import { buildResultsSection } from './build-results-section.ts';
import { buildSetupSection } from './build-setup-section.ts';
import { buildSummarySection } from './build-summary-section.ts';
import { buildTestsSection } from './build-tests-section.ts';
import type { Block, ReportDocument } from './document-model.ts';
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
 * ## Results                   ← summary: per-configuration table, ranking, figures, fastest per phase;
 *   ### Concurrency            ←   batches: makespan, throughput
 *   ### Memory and disk        ←   peak memory, disk per container, daemon memory
 *   ### Isolation              ←   limits: the probes' verdicts
 * ## Interpretation            ← summary.comparisons: one sentence per pair of values and phase, by axis
 * ## Recommendations           ← summary: ranking for the reference workload, isolation classes, limits
 * ## Summary                   ← summary: a few generated sentences
 * ## Skipped and failed cells  ← summary: skipped, failed, failed repetitions, set-aside lines
 * ```
 */
export function buildDocument(input: BuildDocumentInput): ReportDocument {
  const { summary, manifest } = input;
  const figures = input.figures.map((figure) => ({ ...figure, path: figurePaths(figure.id).svg }));
  return {
    title: `Measurements: ${summary.matrixName}`,
    macroPrefix: manifest.matrix.macroPrefix ?? 'crb',
    parts: [
      { id: 'chapter4', blocks: numberInOrder('4', [{ kind: 'heading', level: 1, text: 'Benchmark tool' }, ...buildSetupSection(manifest, summary), ...buildTestsSection(manifest, summary)]) },
      {
        id: 'chapter5',
        blocks: numberInOrder('5', [
          { kind: 'heading', level: 1, text: 'Measurements' },
          ...buildResultsSection(summary, figures),
          ...buildInterpretationSection(summary),
          ...buildRecommendationsSection(summary, manifest),
          ...buildSummarySection(summary),
        ]),
      },
      { id: 'appendix', blocks: numberInOrder('A', [{ kind: 'heading', level: 1, text: 'Measurements in full' }, ...buildProblemsSection(summary)]) },
    ],
  };
}

/**
 * Numbers the tables and figures of one part in the order they appear ("5.1", "5.2"…), and
 * every reference to them to match: a section adds a table without knowing how many came
 * before it. A table without a caption has no number.
 */
function numberInOrder(prefix: string, blocks: Block[]): Block[] {
  const numbers = new Map<string, string>();
  let tables = 0;
  let figures = 0;
  const numbered = blocks.map((block): Block => {
    if (block.kind === 'table' && block.caption !== undefined) {
      const number = `${prefix}.${++tables}`;
      if (block.id !== undefined) numbers.set(`table\u0000${block.id}`, number);
      return { ...block, number };
    }
    if (block.kind === 'figure') {
      const number = `${prefix}.${++figures}`;
      numbers.set(`figure\u0000${block.id}`, number);
      return { ...block, number };
    }
    return block;
  });
  const renumber = (spans: Block & { kind: 'paragraph' }): Block => ({
    ...spans,
    content: spans.content.map((span) => {
      const number = span.ref ? numbers.get(`${span.ref.kind}\u0000${span.ref.id}`) : undefined;
      return number === undefined || !span.ref ? span : { ...span, text: `${span.ref.kind === 'figure' ? 'Figure' : 'Table'} ${number}` };
    }),
  });
  return numbered.map((block) => {
    if (block.kind === 'paragraph') return renumber(block);
    if (block.kind === 'list') return { ...block, items: block.items.map((item) => (renumber({ kind: 'paragraph', content: item }) as Block & { kind: 'paragraph' }).content) };
    if (block.kind === 'table') return { ...block, rows: block.rows.map((row) => row.map((cell) => (renumber({ kind: 'paragraph', content: cell }) as Block & { kind: 'paragraph' }).content)) };
    return block;
  });
}
