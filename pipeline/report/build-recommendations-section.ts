import { LIFECYCLE_PHASES, type CellSummary, type Comparison, type Manifest, type Summary } from '../types.ts';
import { ciLabel, RANKING_TABLE_ID, rankByTotal } from './build-results-section.ts';
import { ComparisonSentences } from './build-interpretation-section.ts';
import { cellStatKey, configurationLabel } from './describe-cell.ts';
import { ref, stat, text, type Block, type Inline } from './document-model.ts';
import { formatFactor, formatMs } from './format-numbers.ts';
import { ISOLATION_CLASS_MEANING, ISOLATION_CLASSES, isolationClassOf } from './isolation-class.ts';
import { referenceSlice, type ReferenceSlice } from './reference-slice.ts';

export const RECOMMENDATION_TABLE_ID = 'recommendation';

/**
 * "## Recommendations": the configurations ranked by end-to-end time for INGInious's job —
 * the grading workload at the highest concurrency measured, or, when none was measured,
 * what there is (said so) — each with its isolation class; the winner with the evidence
 * for it, and the best configuration of each isolation class.
 */
export function buildRecommendationsSection(summary: Summary, manifest: Manifest): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Recommendations' }];
  const slice = referenceSlice(summary.cells);
  if (!slice) {
    blocks.push({ kind: 'paragraph', content: [text('Nothing was measured, so there is nothing to recommend yet.')] });
    return blocks;
  }
  const ranked = rankByTotal(slice.cells);
  const winner = ranked[0] as CellSummary;
  // With a single combination of image, workload and concurrency, Table 2 is this ranking already.
  const repeatsRanking = slice.cells.length === summary.cells.length;
  blocks.push(
    { kind: 'paragraph', content: [text(describeSlice(slice, summary.cells)), ...(repeatsRanking ? [text(' '), ref('table', RANKING_TABLE_ID, 2), text(' is that ranking.')] : [])] },
    ...(repeatsRanking ? [] : [buildTable(ranked, summary.cells)]),
    { kind: 'paragraph', content: winnerEvidence(summary, ranked) },
    {
      kind: 'paragraph',
      content: [
        text(
          'A grading platform runs code it cannot trust, so speed is weighed against isolation: ' +
            ISOLATION_CLASSES.map((isolation) => `a ${isolation} means ${ISOLATION_CLASS_MEANING[isolation]}`).join('; ') +
            '. The fastest configuration of each class:',
        ),
      ],
    },
    { kind: 'list', items: ISOLATION_CLASSES.map((isolation) => bestOfClass(isolation, ranked, winner, summary, manifest)) },
  );
  return blocks;
}

function describeSlice(slice: ReferenceSlice, cells: readonly CellSummary[]): string {
  const where = `workload ${slice.workload} on image ${slice.image} at concurrency ${slice.concurrency}`;
  const concurrencies = new Set(cells.map((cell) => cell.concurrency));
  const highest = concurrencies.size > 1 ? ', the highest concurrency measured' : ' (the only concurrency measured)';
  if (slice.grading) {
    return `The configurations are ranked by their end-to-end time (the sum of the phase medians) for the grading ${where}${highest}, the situation of an INGInious server grading a burst of submissions.`;
  }
  return (
    `No grading workload was measured, so the configurations are ranked by their end-to-end time (the sum of the phase medians) for ${where}${highest}. ` +
    'This ranks what the container machinery costs around a submission, not the time to grade it; a matrix with a grading workload ' +
    '(grade-python or grade-c on the grader image) and several concurrency levels ranks what INGInious would see.'
  );
}

function buildTable(ranked: readonly CellSummary[], peers: readonly CellSummary[]): Block {
  const fastest = ranked[0]?.totalMedianMs ?? 1;
  return {
    kind: 'table',
    id: RECOMMENDATION_TABLE_ID,
    number: 3,
    caption: 'The recommendation: configurations ranked by end-to-end time for the reference workload, with their isolation class.',
    columns: [
      { title: 'rank', align: 'right' },
      { title: 'runtime · driver · filesystem', align: 'left' },
      { title: 'isolation', align: 'left' },
      { title: 'total (ms)', align: 'right' },
      { title: '× fastest', align: 'right' },
    ],
    rows: ranked.map((cell, index) => {
      const key = cellStatKey(cell, peers);
      return [
        [stat([...key, 'rank'], String(index + 1))],
        [text(configurationLabel(cell))],
        [text(isolationClassOf(cell.runtime))],
        [stat([...key, 'total', 'median ms'], formatMs(cell.totalMedianMs))],
        [stat([...key, 'total', 'relative'], formatFactor(cell.totalMedianMs / fastest)), text('×')],
      ];
    }),
  };
}

/** The winner, its phases, and how it compares with the runner-up. */
function winnerEvidence(summary: Summary, ranked: readonly CellSummary[]): Inline {
  const winner = ranked[0] as CellSummary;
  const runnerUp = ranked[1];
  const key = cellStatKey(winner, summary.cells);
  const phases = LIFECYCLE_PHASES.filter((phase) => winner.phases[phase]);
  const spans: Inline = [
    text(`Recommended: ${configurationLabel(winner)} (${isolationClassOf(winner.runtime)} isolation), `),
    stat([...key, 'total', 'median ms'], formatMs(winner.totalMedianMs)),
    text(` ms end to end, the fastest of the ${ranked.length} ${ranked.length === 1 ? 'configuration' : 'configurations'} measured there. Its phases: `),
    ...phases.flatMap((phase, index): Inline => [
      text(`${index === 0 ? '' : ', '}${phase} `),
      stat([...key, phase, 'median ms'], formatMs(winner.phases[phase]?.medianMs ?? 0)),
    ]),
    text(' ms (medians).'),
  ];
  if (!runnerUp) return spans;
  const direct = (summary.comparisons ?? []).find(
    (comparison: Comparison) =>
      comparison.phase === 'total' &&
      ((comparison.baselineCellId === winner.cellId && comparison.candidateCellId === runnerUp.cellId) ||
        (comparison.baselineCellId === runnerUp.cellId && comparison.candidateCellId === winner.cellId)),
  );
  const runnerKey = cellStatKey(runnerUp, summary.cells);
  spans.push(
    text(` The runner-up, ${configurationLabel(runnerUp)}, takes `),
    stat([...runnerKey, 'total', 'relative'], formatFactor(runnerUp.totalMedianMs / winner.totalMedianMs)),
    text('× as long. '),
  );
  if (direct) {
    spans.push(text('The two differ in one axis and were tested against each other: '), ...lowerFirst(new ComparisonSentences(summary).about([direct])[0] ?? []));
  } else {
    spans.push(
      text(
        `The two differ in more than one axis, so no test compares them directly; the ${ciLabel(summary)}s of their phase medians are in Table 1.`,
      ),
    );
  }
  return spans;
}

function bestOfClass(
  isolation: (typeof ISOLATION_CLASSES)[number],
  ranked: readonly CellSummary[],
  winner: CellSummary,
  summary: Summary,
  manifest: Manifest,
): Inline {
  const index = ranked.findIndex((cell) => isolationClassOf(cell.runtime) === isolation);
  const best = ranked[index];
  if (best) {
    const key = cellStatKey(best, summary.cells);
    return [
      text(`${capitalise(isolation)}: ${configurationLabel(best)}, `),
      stat([...key, 'total', 'median ms'], formatMs(best.totalMedianMs)),
      text(' ms, rank '),
      stat([...key, 'rank'], String(index + 1)),
      ...(best === winner
        ? [text(', the overall winner.')]
        : [text(', '), stat([...key, 'total', 'relative'], formatFactor(best.totalMedianMs / winner.totalMedianMs)), text('× the winner’s time.')]),
    ];
  }
  // Not measured: say why, from the plan, when the matrix asked for one.
  const elsewhere = [...new Set(summary.cells.filter((cell) => isolationClassOf(cell.runtime) === isolation).map((cell) => cell.runtime))];
  if (elsewhere.length > 0) {
    return [text(`${capitalise(isolation)}: none measured for this workload and concurrency; ${elsewhere.join(', ')} ran only in other cells (Table 2).`)];
  }
  const runtimes = manifest.matrix.axes.runtime.filter((runtime) => isolationClassOf(runtime) === isolation);
  const skipped = manifest.cells.find((cell) => !cell.feasible && runtimes.includes(cell.runtime));
  if (skipped) return [text(`${capitalise(isolation)}: none measured; ${skipped.runtime} was skipped: ${skipped.skipReason ?? 'no reason recorded'}.`)];
  if (runtimes.length > 0) return [text(`${capitalise(isolation)}: none measured; ${runtimes.join(', ')} produced no successful measurement here (see the failed cells).`)];
  return [text(`${capitalise(isolation)}: none measured; the matrix has no runtime of this class.`)];
}

/** The sentence with its first letter in lower case, to follow a colon. */
function lowerFirst(sentence: Inline): Inline {
  const [first, ...rest] = sentence;
  if (!first || first.stat || first.code) return sentence;
  return [{ ...first, text: first.text.charAt(0).toLowerCase() + first.text.slice(1) }, ...rest];
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
