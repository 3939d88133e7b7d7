import { LIFECYCLE_PHASES, type Summary } from '../types.ts';
import { cellStatKey, describeCell } from './describe-cell.ts';
import { code, stat, text, type Block, type Inline } from './document-model.ts';

/**
 * "## Skipped and failed cells": what the results do not show and why. Said explicitly even
 * when empty, so a reader can tell "nothing failed" from "failures were not reported".
 */
export function buildProblemsSection(summary: Summary): Block[] {
  // A probe's failed execute is its verdict (a limit not enforced), reported under Isolation.
  const failedRepetitions = summary.cells.filter((cell) => cell.probe === undefined).flatMap((cell) =>
    LIFECYCLE_PHASES.flatMap((phase): Inline[] => {
      const stats = cell.phases[phase];
      if (!stats || stats.errors === 0) return [];
      const key = [...cellStatKey(cell, summary.cells), phase];
      return [[
        text(`${describeCell(cell, summary.cells)}, ${phase}: `),
        stat([...key, 'errors'], String(stats.errors)),
        text(' of '),
        stat([...key, 'measured'], String(stats.n + stats.errors)),
        text(' measured repetitions failed'),
      ]];
    }),
  );
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Skipped and failed cells' },
    { kind: 'heading', level: 3, text: 'Skipped' },
    ...listOrNone(
      'Cells the plan found infeasible on this host, with the reason:',
      summary.skipped.map(({ cellId, reason }) => [code(cellId), text(`: ${reason}`)]),
    ),
    { kind: 'heading', level: 3, text: 'Failed' },
    ...listOrNone(
      'Feasible cells without a single successful measured repetition, with the first error they recorded:',
      summary.failed.map(({ cellId, error }) => [code(cellId), text(`: ${error}`)]),
    ),
    { kind: 'heading', level: 3, text: 'Failed repetitions' },
    ...listOrNone(
      'Measured repetitions that failed in cells that otherwise succeeded; they count in errors, not in the statistics:',
      failedRepetitions,
    ),
    ...(summary.cells.some((cell) => cell.probe !== undefined)
      ? [{ kind: 'paragraph', content: [text('The isolation probes’ failed repetitions are not listed here: what made them fail is their verdict, given under Isolation in the results.')] } as Block]
      : []),
  ];
  if (summary.setAsideLines > 0) {
    blocks.push({
      kind: 'paragraph',
      content: [
        stat(['set aside lines'], String(summary.setAsideLines)),
        text(` ${summary.setAsideLines === 1 ? 'line' : 'lines'} of `),
        code('samples.jsonl'),
        text(` ${summary.setAsideLines === 1 ? 'was' : 'were'} torn or invalid and set aside, not analysed.`),
      ],
    });
  }
  return blocks;
}

function listOrNone(intro: string, items: Inline[]): Block[] {
  if (items.length === 0) return [{ kind: 'paragraph', content: [text('None.')] }];
  return [
    { kind: 'paragraph', content: [text(intro)] },
    { kind: 'list', items },
  ];
}
