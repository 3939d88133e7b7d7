import { LIFECYCLE_PHASES, type CellSummary, type LifecyclePhase, type PhaseStats, type Summary } from '../types.ts';
import { describeCell } from './describe-cell.ts';
import { text, type Block, type Inline, type TableColumn } from './document-model.ts';
import { formatIntervalMs, formatMedianWithCi, formatMs } from './format-numbers.ts';

/** What the results section needs to know of a figure; the SVG itself is the format's business. */
export interface FigureReference {
  id: string;
  caption: string;
  /** Relative to the report, e.g. figures/phase-medians.svg. */
  path: string;
}

/**
 * "## Results": the table of medians with their intervals, the figures, and one sentence per
 * phase naming the fastest configuration. Every number comes from the summary.
 */
export function buildResultsSection(summary: Summary, figures: readonly FigureReference[]): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Results' }];
  if (summary.cells.length === 0) {
    blocks.push({ kind: 'paragraph', content: [text('No cell produced a successful measurement; see below.')] });
  } else {
    blocks.push(
      {
        kind: 'paragraph',
        content: [
          text(
            'Each entry is the median duration in milliseconds with the bootstrap 95% confidence interval ' +
              'of the median in brackets. n counts the successful measured repetitions of a cell (warm-ups ' +
              'excluded), errors the measured repetitions that failed; a phase whose n differs from the ' +
              "cell's says so. The total is the sum of the phase medians.",
          ),
        ],
      },
      buildResultsTable(summary.cells),
    );
  }
  figures.forEach((figure, index) => {
    blocks.push({ kind: 'figure', id: figure.id, number: index + 1, caption: figure.caption, path: figure.path });
  });
  const sentences = LIFECYCLE_PHASES.flatMap((phase) => fastestSentence(summary.cells, phase) ?? []);
  if (sentences.length > 0) blocks.push({ kind: 'list', items: sentences.map((sentence) => [text(sentence)]) });
  return blocks;
}

function buildResultsTable(cells: readonly CellSummary[]): Block {
  const columns: TableColumn[] = [
    { title: 'runtime', align: 'left' },
    { title: 'driver', align: 'left' },
    { title: 'filesystem', align: 'left' },
    { title: 'image', align: 'left' },
    { title: 'workload', align: 'left' },
    { title: 'concurrency', align: 'right' },
    ...LIFECYCLE_PHASES.map((phase): TableColumn => ({ title: `${phase} (ms)`, align: 'right' })),
    { title: 'total (ms)', align: 'right' },
    { title: 'n', align: 'right' },
    { title: 'errors', align: 'right' },
  ];
  const rows = cells.map((cell): Inline[] => {
    const present = Object.values(cell.phases);
    // The cell's n is its largest phase n; phases that lost repetitions show their own.
    const cellN = Math.max(...present.map((stats) => stats.n));
    const errors = present.reduce((sum, stats) => sum + stats.errors, 0);
    return [
      [text(cell.runtime)],
      [text(cell.storageDriver)],
      [text(cell.filesystem)],
      [text(cell.image)],
      [text(cell.workload)],
      [text(String(cell.concurrency))],
      ...LIFECYCLE_PHASES.map((phase) => [text(formatPhaseEntry(cell.phases[phase], cellN))]),
      [text(formatMs(cell.totalMedianMs))],
      [text(String(cellN))],
      [text(String(errors))],
    ];
  });
  return { kind: 'table', columns, rows };
}

function formatPhaseEntry(stats: PhaseStats | undefined, cellN: number): string {
  if (!stats) return '—';
  const entry = formatMedianWithCi(stats.medianMs, stats.ciLowMs, stats.ciHighMs);
  return stats.n === cellN ? entry : `${entry} (n = ${stats.n})`;
}

/**
 * "crun on ext4 has the shortest create phase: 11.7 ms (95% CI 11.3–12.3 ms), n = 20."
 * Lowest median wins; on a tie the cell listed first in the matrix does, so the sentence
 * is stable. Undefined when no cell measured the phase.
 */
export function fastestSentence(cells: readonly CellSummary[], phase: LifecyclePhase): string | undefined {
  let best: { cell: CellSummary; stats: PhaseStats } | undefined;
  for (const cell of cells) {
    const stats = cell.phases[phase];
    if (stats && (!best || stats.medianMs < best.stats.medianMs)) best = { cell, stats };
  }
  if (!best) return undefined;
  const { cell, stats } = best;
  return (
    `${describeCell(cell, cells)} has the shortest ${phase} phase: ${formatMs(stats.medianMs)} ms ` +
    `(95% CI ${formatIntervalMs(stats.ciLowMs, stats.ciHighMs)}), n = ${stats.n}.`
  );
}
