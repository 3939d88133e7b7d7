import type { Summary, Manifest } from '../../types.ts';
import { buildIsolationSubsection } from '../build-isolation-section.ts';
import { buildConcurrencySubsection, buildMemorySubsection } from '../build-resources-section.ts';
import { buildSummaryTable, ciLabel } from './per-configuration-table.ts';
import { buildPhases } from '../build-tests-section.ts';
import { code, ref, text, type Block, type Inline } from '../document-model.ts';
import { formatFactor, formatPValue, plural } from '../format-numbers.ts';
import type { ChapterFigure } from '../chapter5/build-results.ts';
import { LIFECYCLE_PHASES } from '../../types.ts';

export const COMPARISONS_TABLE_ID = 'comparisons';
export const SKIPS_TABLE_ID = 'skips';

/**
 * Appendix A, "Measurements in full": everything chapter 5 rests on but does not argue
 * with: every configuration's phases, the commands of each phase, batches and memory, the
 * isolation probes' evidence, every exploratory comparison (one Holm family, labelled as
 * such), the figures too tall or too detailed for the chapter, and the skipped and failed
 * cells grouped by reason. Every table is also a CSV (tables/<id>.csv).
 */
export function buildAppendix(summary: Summary, manifest: Manifest, figures: readonly ChapterFigure[]): Block[] {
  const confidence = ciLabel(summary);
  const blocks: Block[] = [{ kind: 'heading', level: 1, text: 'Measurements in full' }];
  blocks.push(
    { kind: 'heading', level: 2, text: 'Every configuration' },
    {
      kind: 'paragraph',
      content: [
        ref('table', 'per-configuration', 1),
        text(
          ` gives each configuration's phases: the median in ms with the bootstrap ${confidence} of the median, the 95th percentile, n (successful measured repetitions, warm-ups excluded), failed repetitions and outliers (modified z-score above 3.5, kept in the statistics).`,
        ),
      ],
    },
    buildSummaryTable(summary),
  );
  blocks.push({ kind: 'heading', level: 2, text: 'Phase commands' }, ...buildPhases(manifest).filter((block) => block.kind === 'table'));
  blocks.push(...demote(buildConcurrencySubsection(summary, confidence)));
  blocks.push(...demote(buildMemorySubsection(summary)));
  blocks.push(...demote(buildIsolationSubsection(summary)));
  blocks.push(...comparisonBlocks(summary));
  if (figures.length > 0) {
    blocks.push({ kind: 'heading', level: 2, text: 'Figures' });
    for (const figure of figures) blocks.push({ kind: 'figure', id: figure.id, number: '0', caption: figure.caption, path: figure.path });
  }
  blocks.push(...skipBlocks(summary));
  return blocks;
}

/** A chapter's subsection becomes a section of the appendix. */
function demote(blocks: Block[]): Block[] {
  return blocks.map((block) => (block.kind === 'heading' && block.level === 3 ? { ...block, level: 2 } : block));
}

function comparisonBlocks(summary: Summary): Block[] {
  const comparisons = summary.comparisons;
  if (comparisons.length === 0) return [];
  const significant = comparisons.filter((comparison) => comparison.significant).length;
  return [
    { kind: 'heading', level: 2, text: 'Exploratory comparisons' },
    {
      kind: 'paragraph',
      content: [
        text(
          `Every pair of configurations that differ in one axis, on every phase and the total: ${plural(comparisons.length, 'comparison')}, one exploratory family whose p-values are Holm-adjusted together. ` +
            `By the one rule (adjusted p < 0.05 and a CI that excludes 1), ${significant} differ. These were not declared in advance; they suggest questions, they do not answer them. `,
        ),
        ref('table', COMPARISONS_TABLE_ID, 1),
        text(' lists them.'),
      ],
    },
    {
      kind: 'table',
      id: COMPARISONS_TABLE_ID,
      caption: 'Every exploratory comparison: the axis and its two values, the phase, candidate ÷ baseline medians [95 % CI], p and Holm-adjusted p, and whether it differs by the one rule.',
      columns: [
        { title: 'Axis', align: 'left' },
        { title: 'Baseline → candidate', align: 'left' },
        { title: 'Candidate cell', align: 'left' },
        { title: 'Phase', align: 'left' },
        { title: 'Ratio [95 % CI]', align: 'right' },
        { title: 'p', align: 'right' },
        { title: 'p (Holm)', align: 'right' },
        { title: 'Differs', align: 'left' },
      ],
      rows: comparisons.map((comparison) => [
        [text(comparison.axis)],
        [text(`${comparison.baselineValue} → ${comparison.candidateValue}`)],
        [code(comparison.candidateCellId)],
        [text(comparison.phase)],
        [text(`${formatFactor(comparison.ratio)} [${formatFactor(comparison.ciLow)}–${formatFactor(comparison.ciHigh)}]`)],
        [text(formatPValue(comparison.pValue).replace('= ', ''))],
        [text(formatPValue(comparison.pAdjusted).replace('= ', ''))],
        [text(comparison.significant ? 'yes' : 'no')],
      ]),
    },
  ];
}

function skipBlocks(summary: Summary): Block[] {
  const groups = summary.skippedByReason ?? [];
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Skipped and failed cells' }];
  if (groups.length === 0) blocks.push({ kind: 'paragraph', content: [text('No planned cell was skipped.')] });
  else {
    blocks.push(
      {
        kind: 'paragraph',
        content: [
          text(`${plural(summary.skipped.length, 'planned cell')} could not run. `),
          ref('table', SKIPS_TABLE_ID, 1),
          text(' groups them by cause; cells that no host could run (a driver of another runtime or filesystem, a shape the runtime has not got) are counted in one line. Each cell’s own reason is in the results folder’s manifest.json.'),
        ],
      },
      {
        kind: 'table',
        id: SKIPS_TABLE_ID,
        caption: 'Skipped cells by cause, with counts.',
        columns: [
          { title: 'Cause', align: 'left' },
          { title: 'Cells', align: 'right' },
        ],
        rows: groups.map((group) => [[text(group.reason)], [text(String(group.count))]]),
      },
    );
  }
  const failedRepetitions: Inline[] = summary.cells
    .filter((cell) => cell.probe === undefined)
    .flatMap((cell) => LIFECYCLE_PHASES.flatMap((phase) => (cell.phases[phase]?.errors ? [[code(cell.cellId), text(`, ${phase}: ${cell.phases[phase]!.errors} of ${cell.phases[phase]!.n + cell.phases[phase]!.errors} measured repetitions failed`)]] : [])));
  blocks.push(
    { kind: 'paragraph', content: [text(summary.failed.length === 0 ? 'No feasible cell failed outright.' : 'Feasible cells without one successful measured repetition, with the first error they recorded:')] },
    ...(summary.failed.length > 0 ? [{ kind: 'list' as const, items: summary.failed.map(({ cellId, error }): Inline => [code(cellId), text(`: ${error}`)]) }] : []),
    { kind: 'paragraph', content: [text(failedRepetitions.length === 0 ? 'No measured repetition failed in a cell that otherwise succeeded.' : 'Measured repetitions that failed in cells that otherwise succeeded (counted in errors, not in the statistics):')] },
    ...(failedRepetitions.length > 0 ? [{ kind: 'list' as const, items: failedRepetitions }] : []),
  );
  if (summary.setAsideLines > 0) blocks.push({ kind: 'paragraph', content: [text(`${plural(summary.setAsideLines, 'line')} of `), code('samples.jsonl'), text(' were torn or invalid and set aside, not analysed.')] });
  return blocks;
}
