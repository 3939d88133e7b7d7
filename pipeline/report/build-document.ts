import type { Manifest, Summary } from '../types.ts';
import { buildAppendix } from './appendix/build-appendix.ts';
import { buildSetupSection } from './build-setup-section.ts';
import { buildTestsSection } from './build-tests-section.ts';
import { buildChapter5 } from './chapter5/build-chapter5.ts';
import type { Block, ReportDocument } from './document-model.ts';
import { figurePaths } from './figure-paths.ts';

export interface BuildDocumentInput {
  summary: Summary;
  manifest: Manifest;
  /** The rendered figures, in the chart stage's order; `placement` says which part shows each. */
  figures: readonly { id: string; caption: string; placement?: 'chapter5' | 'appendix' }[];
}

/**
 * Summary + manifest → the thesis's two chapters and their appendix, format-neutral:
 *
 * ```
 * chapter4  # Benchmark tool   ← manifest: 4.1 Setup (host, tools, filesystems, profile, workarounds),
 *                                          4.2 Tests (matrix, repetitions, statistics, limits)
 * chapter5  # Measurements     ← summary: the answer, 5.1 Results, 5.2 Interpretation,
 *                                          5.3 Recommendations, 5.4 Summary (chapter5/)
 * appendix  # Measurements in full ← every configuration, phase commands, exploratory
 *                                          comparisons, figures, skips (appendix/)
 * ```
 *
 * Tables and figures are numbered per part (4.1, 5.2, A.3); every appendix table is also a CSV.
 */
export function buildDocument(input: BuildDocumentInput): ReportDocument {
  const { summary, manifest } = input;
  const figures = input.figures.map((figure) => ({ ...figure, path: figurePaths(figure.id).svg }));
  const chapterFigures = figures.filter((figure) => figure.placement !== 'appendix');
  const appendixFigures = figures.filter((figure) => figure.placement === 'appendix');
  const chapter5 = buildChapter5(summary, chapterFigures);
  // A chapter-5 figure the chapter had no place (or room) for is not lost: it goes to the appendix.
  const placed = new Set(chapter5.flatMap((block) => (block.kind === 'figure' ? [block.id] : [])));
  const unplaced = chapterFigures.filter((figure) => !placed.has(figure.id));
  return {
    title: `Measurements: ${summary.matrixName}`,
    macroPrefix: manifest.matrix.macroPrefix ?? 'crb',
    parts: [
      { id: 'chapter4', blocks: numberInOrder('4', [{ kind: 'heading', level: 1, text: 'Benchmark tool' }, ...buildSetupSection(manifest, summary), ...buildTestsSection(manifest, summary)]) },
      { id: 'chapter5', blocks: numberInOrder('5', chapter5) },
      { id: 'appendix', blocks: withCsv(numberInOrder('A', buildAppendix(summary, manifest, [...appendixFigures, ...unplaced]))) },
    ],
  };
}

/** Every table of the appendix is also tables/<id>.csv (or table-A3.csv without an id). */
function withCsv(blocks: Block[]): Block[] {
  return blocks.map((block) =>
    block.kind === 'table' && block.csv === undefined ? { ...block, csv: block.id ?? `table-${(block.number ?? 'A').replace('.', '')}` } : block,
  );
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
