import type { QuestionVerdict, RankingEntry } from '../../types.ts';
import { macro, text, type Span } from '../document-model.ts';
import { formatFactor, formatMs } from '../format-numbers.ts';

/** "crun · overlay · ext4": a configuration as the chapter names it. */
export function entryLabel(entry: Pick<RankingEntry, 'runtime' | 'storageDriver' | 'filesystem'>): string {
  return `${entry.runtime} · ${entry.storageDriver} · ${entry.filesystem}`;
}

/** "0.60× [0.54–0.68]". */
export function ratioWithCi(ratio: number, ciLow: number, ciHigh: number): string {
  return `${formatFactor(ratio)}× [${formatFactor(ciLow)}–${formatFactor(ciHigh)}]`;
}

/** "104 ms [101–108]". */
export function msWithCi(medianMs: number, ciLowMs: number, ciHighMs: number): string {
  return `${formatMs(medianMs)} ms [${formatMs(ciLowMs)}–${formatMs(ciHighMs)}]`;
}

const DIGIT_WORDS = ['Zero', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine'];

/**
 * A LaTeX macro name from words: letters only, each word capitalised, digits spelt out
 * ("cow-vs-copy-at-1g" → CowVsCopyAtOneG), so any id gives a valid control sequence.
 */
export function macroName(...words: string[]): string {
  return words
    .flatMap((word) => word.replace(/[0-9]/g, (digit) => ` ${DIGIT_WORDS[Number(digit)]} `).split(/[^A-Za-z]+/))
    .filter((word) => word.length > 0)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

/** A number an author may cite, named by words (see macroName). */
export function cite(formatted: string, ...words: string[]): Span {
  return macro(macroName(...words), formatted);
}

export const VERDICT_LABEL: Record<QuestionVerdict, string> = {
  supported: 'supported',
  'not supported': 'not supported',
  inconclusive: 'inconclusive at this n',
};

/** "1.73× slower" / "0.60×, 40 % faster". */
export function describeRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'not measured';
  if (ratio >= 1) return `${formatFactor(ratio)}× as long`;
  return `${formatFactor(ratio)}× as long (${Math.round((1 - ratio) * 100)} % less)`;
}

export { text };
