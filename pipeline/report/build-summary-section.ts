import type { Comparison, Summary } from '../types.ts';
import { rankByTotal } from './build-results-section.ts';
import { ComparisonSentences } from './build-interpretation-section.ts';
import { cellStatKey, configurationLabel } from './describe-cell.ts';
import { stat, text, type Block, type Inline } from './document-model.ts';
import { formatFactor, formatMs, plural } from './format-numbers.ts';
import { isolationClassOf } from './isolation-class.ts';
import { lifeCycleCells } from './build-resources-section.ts';
import { referenceSlice } from './reference-slice.ts';

/**
 * "## Summary": a few sentences generated from the data — what was measured, the fastest
 * and slowest configuration for the reference workload, the clearest runtime and storage
 * effects, and how many comparisons found a difference.
 */
export function buildSummarySection(summary: Summary): Block[] {
  const items: Inline[] = [];
  const measured = summary.cells.length;
  items.push([
    text('Measured '),
    stat(['cells measured'], String(measured)),
    text(` ${measured === 1 ? 'configuration' : 'configurations'} of matrix ${summary.matrixName}; `),
    stat(['cells skipped'], String(summary.skipped.length)),
    text(` ${summary.skipped.length === 1 ? 'was' : 'were'} skipped on this host and `),
    stat(['cells failed'], String(summary.failed.length)),
    text(' failed (the skipped and failed cells are listed at the end).'),
  ]);

  const slice = referenceSlice(lifeCycleCells(summary));
  if (slice && slice.cells.length > 0) {
    const ranked = rankByTotal(slice.cells);
    const fastest = ranked[0]!;
    const slowest = ranked[ranked.length - 1]!;
    const key = cellStatKey(fastest, summary.cells);
    const sentence: Inline = [
      text(`For workload ${slice.workload} at concurrency ${slice.concurrency}, the fastest configuration is ${configurationLabel(fastest)} (${isolationClassOf(fastest.runtime)}), `),
      stat([...key, 'total', 'median ms'], formatMs(fastest.totalMedianMs)),
      text(' ms end to end'),
    ];
    if (slowest !== fastest) {
      const slowKey = cellStatKey(slowest, summary.cells);
      sentence.push(
        text(`; the slowest, ${configurationLabel(slowest)}, takes `),
        stat([...slowKey, 'total', 'relative'], formatFactor(slowest.totalMedianMs / fastest.totalMedianMs)),
        text('× as long'),
      );
    }
    sentence.push(text('.'));
    items.push(sentence);
  }

  const comparisons = summary.comparisons ?? [];
  const sentences = new ComparisonSentences(summary);
  for (const [axis, phase] of [['runtime', 'total'], ['storageDriver', 'create'], ['filesystem', 'total']] as const) {
    const clearest = largestSignificant(comparisons.filter((comparison) => comparison.axis === axis && comparison.phase === phase));
    if (clearest) items.push(sentences.about([clearest])[0] ?? []);
  }
  if (comparisons.length > 0) {
    const significant = comparisons.filter((comparison) => comparison.significant).length;
    items.push([
      text('Of '),
      stat(['comparisons'], String(comparisons.length)),
      text(` comparisons between configurations that differ in one axis, `),
      stat(['comparisons significant'], String(significant)),
      text(` found a significant difference (p < 0.05, interval excluding 1); the other ${plural(comparisons.length - significant, 'comparison')} did not.`),
    ]);
  }
  return [{ kind: 'heading', level: 2, text: 'Summary' }, { kind: 'list', items: items.filter((item) => item.length > 0) }];
}

/** The significant comparison with the largest factor either way, first listed on a tie. */
function largestSignificant(comparisons: readonly Comparison[]): Comparison | undefined {
  let best: Comparison | undefined;
  const factor = (comparison: Comparison) => Math.max(comparison.ratio, 1 / comparison.ratio);
  for (const comparison of comparisons) {
    if (comparison.significant && (!best || factor(comparison) > factor(best))) best = comparison;
  }
  return best;
}
