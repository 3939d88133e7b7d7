import { LIFECYCLE_PHASES, type CellSummary, type Comparison, type Manifest, type Summary } from '../types.ts';
import { ciLabel, RANKING_TABLE_ID, rankByTotal } from './build-results-section.ts';
import { ComparisonSentences } from './build-interpretation-section.ts';
import { limitsNotEnforced } from './build-isolation-section.ts';
import { lifeCycleCells } from './build-resources-section.ts';
import { cellStatKey, configurationLabel } from './describe-cell.ts';
import { ref, stat, text, type Block, type Inline } from './document-model.ts';
import { formatFactor, formatMs } from './format-numbers.ts';
import { ISOLATION_CLASS_MEANING, ISOLATION_CLASSES, isolationClassOf } from './isolation-class.ts';
import { referenceSlice, type ReferenceSlice } from './reference-slice.ts';

export const RECOMMENDATION_TABLE_ID = 'recommendation';

/**
 * "## Recommendations": the configurations ranked by end-to-end time for INGInious's job —
 * the grading workload at the highest concurrency measured, or, when none was measured,
 * what there is (said so) — each with its isolation class and the limits its isolation
 * probes found not enforced; the winner with the evidence for it, and the best
 * configuration of each isolation class. A configuration that lets a limit go is flagged
 * and never recommended over one that holds them all; the probes themselves are not ranked.
 */
export function buildRecommendationsSection(summary: Summary, manifest: Manifest): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Recommendations' }];
  const cells = lifeCycleCells(summary);
  const slice = referenceSlice(cells);
  if (!slice) {
    blocks.push({ kind: 'paragraph', content: [text('Nothing was measured, so there is nothing to recommend yet.')] });
    return blocks;
  }
  const limits = summary.limits ?? [];
  const ranked = rankByTotal(slice.cells);
  const holds = (cell: CellSummary) => limitsNotEnforced(cell, limits).length === 0;
  const winner = ranked.find(holds) ?? (ranked[0] as CellSummary);
  // With a single combination of image, workload and concurrency, Table 2 is this ranking
  // already, unless the limits need a column of their own.
  const repeatsRanking = slice.cells.length === cells.length && limits.length === 0;
  blocks.push(
    { kind: 'paragraph', content: [text(describeSlice(slice, cells)), ...(repeatsRanking ? [text(' '), ref('table', RANKING_TABLE_ID, 2), text(' is that ranking.')] : [])] },
    ...(repeatsRanking ? [] : [buildTable(ranked, summary.cells, limits)]),
    ...(limits.length > 0 ? [{ kind: 'paragraph', content: flaggedSentence(ranked, winner, limits) } as Block] : []),
    { kind: 'paragraph', content: winnerEvidence(summary, ranked, winner, holds) },
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
    { kind: 'list', items: ISOLATION_CLASSES.map((isolation) => bestOfClass(isolation, ranked, winner, summary, manifest, holds)) },
  );
  return blocks;
}

/** What the probes say about the ranked configurations, and what it changes. */
function flaggedSentence(ranked: readonly CellSummary[], winner: CellSummary, limits: Summary['limits']): Inline {
  const flagged = ranked.filter((cell) => limitsNotEnforced(cell, limits).length > 0);
  if (flagged.length === 0) return [text('No configuration ranked here let a limit go in the isolation probes (see Isolation in the results).')];
  const named = flagged.map((cell) => `${configurationLabel(cell)} (${limitsNotEnforced(cell, limits).join(' and ')} not enforced)`).join(', ');
  const passedOver = ranked.slice(0, ranked.indexOf(winner)).filter((cell) => flagged.includes(cell));
  return [
    text(
      `The isolation probes found a limit not enforced by ${named}: a submission there can use more memory or processes, or reach a network, than the platform allows. ` +
        (limitsNotEnforced(winner, limits).length > 0
          ? 'Every configuration ranked here lets some limit go, so the fastest is named below with that caveat.'
          : passedOver.length > 0
            ? `${passedOver.length === 1 ? 'It is' : 'They are'} not recommended, although faster, over a configuration that enforces every limit.`
            : 'None of them is faster than the recommendation.'),
    ),
  ];
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

function buildTable(ranked: readonly CellSummary[], peers: readonly CellSummary[], limits: Summary['limits']): Block {
  const fastest = ranked[0]?.totalMedianMs ?? 1;
  const probed = (cell: CellSummary) => limits.some((l) => l.runtime === cell.runtime);
  return {
    kind: 'table',
    id: RECOMMENDATION_TABLE_ID,
    number: '3',
    caption:
      'The recommendation: configurations ranked by end-to-end time for the reference workload, with their isolation class' +
      (limits.length > 0 ? ' and the limits their isolation probes found not enforced.' : '.'),
    columns: [
      { title: 'rank', align: 'right' },
      { title: 'runtime · driver · filesystem', align: 'left' },
      { title: 'isolation', align: 'left' },
      ...(limits.length > 0 ? [{ title: 'not enforced', align: 'left' } as const] : []),
      { title: 'total (ms)', align: 'right' },
      { title: '× fastest', align: 'right' },
    ],
    rows: ranked.map((cell, index) => {
      const key = cellStatKey(cell, peers);
      const notEnforced = limitsNotEnforced(cell, limits);
      return [
        [stat([...key, 'rank'], String(index + 1))],
        [text(configurationLabel(cell))],
        [text(isolationClassOf(cell.runtime))],
        ...(limits.length > 0 ? [[text(notEnforced.length > 0 ? notEnforced.join(', ') : probed(cell) ? '—' : 'not probed')]] : []),
        [stat([...key, 'total', 'median ms'], formatMs(cell.totalMedianMs))],
        [stat([...key, 'total', 'relative'], formatFactor(cell.totalMedianMs / fastest)), text('×')],
      ];
    }),
  };
}

/**
 * The winner, its phases, and how it compares with the runner-up: the next configuration
 * that is as safe (enforces every limit) when the winner is, else simply the next one.
 */
function winnerEvidence(summary: Summary, ranked: readonly CellSummary[], winner: CellSummary, holds: (cell: CellSummary) => boolean): Inline {
  const rest = ranked.filter((cell) => cell !== winner);
  const runnerUp = holds(winner) ? rest.find(holds) : rest[0];
  const key = cellStatKey(winner, summary.cells);
  const phases = LIFECYCLE_PHASES.filter((phase) => winner.phases[phase]);
  const fastest = winner === ranked[0];
  const spans: Inline = [
    text(`Recommended: ${configurationLabel(winner)} (${isolationClassOf(winner.runtime)} isolation), `),
    stat([...key, 'total', 'median ms'], formatMs(winner.totalMedianMs)),
    text(
      ` ms end to end, the fastest of the ${ranked.length} ${ranked.length === 1 ? 'configuration' : 'configurations'} measured there${fastest ? '' : ' that enforces every limit'}. Its phases: `,
    ),
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
    text(` The runner-up${holds(winner) && !fastest ? ' among those' : ''}, ${configurationLabel(runnerUp)}, takes `),
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
  holds: (cell: CellSummary) => boolean,
): Inline {
  const ofClass = ranked.filter((cell) => isolationClassOf(cell.runtime) === isolation);
  const best = ofClass.find(holds) ?? ofClass[0];
  const index = best ? ranked.indexOf(best) : -1;
  if (best) {
    const key = cellStatKey(best, summary.cells);
    const notEnforced = limitsNotEnforced(best, summary.limits ?? []);
    return [
      text(`${capitalise(isolation)}: ${configurationLabel(best)}${notEnforced.length > 0 ? ` (${notEnforced.join(' and ')} not enforced)` : ''}, `),
      stat([...key, 'total', 'median ms'], formatMs(best.totalMedianMs)),
      text(' ms, rank '),
      stat([...key, 'rank'], String(index + 1)),
      ...(best === winner
        ? [text(', the overall winner.')]
        : [text(', '), stat([...key, 'total', 'relative'], formatFactor(best.totalMedianMs / winner.totalMedianMs)), text('× the winner’s time.')]),
    ];
  }
  // Not measured: say why, from the plan, when the matrix asked for one.
  const elsewhere = [...new Set(lifeCycleCells(summary).filter((cell) => isolationClassOf(cell.runtime) === isolation).map((cell) => cell.runtime))];
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
