import type { Summary } from '../../types.ts';
import type { Block } from '../document-model.ts';
import { buildAnswer } from './build-answer.ts';
import { buildInterpretation } from './build-interpretation.ts';
import { buildRecommendations, buildSummary } from './build-recommendations.ts';
import { buildResults, type ChapterFigure } from './build-results.ts';

/** A chapter of a thesis shows no more figures than a reader follows. */
export const CHAPTER5_FIGURE_LIMIT = 10;

/**
 * Chapter 5, "Measurements", answer first:
 *
 * ```
 * # Measurements
 * (answer)           ← summary.headline: the recommended configuration, each isolation class, Docker against it
 * ## Results         ← summary.ranking, isolation, the INGInious task, load, image size, what is apart
 * ## Interpretation  ← summary.questions: one family, one subsection and figure per question
 * ## Recommendations ← the ranking weighed against isolation, INGInious, the exam
 * ## Summary         ← at most six bullets, each with its number
 * ```
 */
export function buildChapter5(summary: Summary, figures: readonly ChapterFigure[]): Block[] {
  const byId = new Map(figures.map((figure) => [figure.id, figure]));
  const results = buildResults(summary, byId);
  const used = results.filter((block) => block.kind === 'figure').length;
  return [
    { kind: 'heading', level: 1, text: 'Measurements' },
    ...buildAnswer(summary),
    ...results,
    ...buildInterpretation(summary, byId, CHAPTER5_FIGURE_LIMIT - used),
    ...buildRecommendations(summary),
    ...buildSummary(summary),
  ];
}
