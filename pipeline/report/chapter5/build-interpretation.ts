import type { QuestionAnswer, Summary } from '../../types.ts';
import { ref, text, type Block, type Inline } from '../document-model.ts';
import { formatFactor, formatPValue, plural } from '../format-numbers.ts';
import type { ChapterFigure } from './build-results.ts';
import { cite, ratioWithCi, VERDICT_LABEL } from './words.ts';

export const QUESTIONS_TABLE_ID = 'questions';

const METRIC_WORDS: Record<string, string> = {
  total: 'the life cycle end to end (create to clean)',
  makespan: 'the makespan of a batch (first create to last clean)',
  create: 'create',
  launch: 'launch',
  execute: 'execute',
  stop: 'stop',
  clean: 'clean',
};

/**
 * "5.2 Interpretation": the questions the matrix declares, one family: the rule, a table of
 * every answer, then one subsection per question with its figure (while the chapter's figure
 * budget lasts; its pairs as a table after that), the effect with its CI, the Holm-adjusted
 * p and the verdict. Everything else is in the appendix, labelled exploratory.
 */
export function buildInterpretation(summary: Summary, figures: ReadonlyMap<string, ChapterFigure>, figureBudget: number): Block[] {
  const questions = summary.questions ?? [];
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Interpretation' }];
  if (questions.length === 0) {
    blocks.push({ kind: 'paragraph', content: [text('The matrix declares no questions (questions:), so nothing is tested here; the appendix has every comparison, exploratory.')] });
    return blocks;
  }
  blocks.push(
    {
      kind: 'paragraph',
      content: [
        text(
          `The matrix declares ${plural(questions.length, 'question')}, each a contrast between two sets of configurations on one metric, tested together as one family. ` +
            'The effect is the ratio candidate ÷ baseline of medians, a geometric mean over the pairs of configurations that differ only in what the question asks about; its 95 % CI comes from the bootstrap. ' +
            'Its p is that of a rank-sum test stratified by pair, Holm-adjusted across the family. One rule decides everywhere: a difference is significant when the adjusted p is below 0.05 and the CI excludes 1. ' +
            'A hypothesis is supported when the difference is significant in its direction (and, for a published factor, the whole CI lies beyond it); not supported when it is significant the other way, when the CI excludes the factor, or when the CI lies within ±5 % of 1; inconclusive otherwise. ',
        ),
        ref('table', QUESTIONS_TABLE_ID, 1),
        text(' lists the answers.'),
      ],
    },
    {
      kind: 'table',
      id: QUESTIONS_TABLE_ID,
      caption: 'The declared questions: effect (candidate ÷ baseline) with its 95 % CI, pairs of configurations, Holm-adjusted p, and the verdict.',
      columns: [
        { title: 'Question', align: 'left' },
        { title: 'Effect [95 % CI]', align: 'right' },
        { title: 'Pairs', align: 'right' },
        { title: 'p (Holm)', align: 'right' },
        { title: 'Verdict', align: 'left' },
      ],
      rows: questions.map((answer) => [
        [text(answer.title)],
        [text(Number.isFinite(answer.ratio) ? ratioWithCi(answer.ratio, answer.ciLow, answer.ciHigh) : '—')],
        [text(String(answer.pairs.length))],
        [text(Number.isFinite(answer.pAdjusted) ? formatPValue(answer.pAdjusted).replace('= ', '') : '—')],
        [text(VERDICT_LABEL[answer.verdict])],
      ]),
      csv: 'questions',
    },
  );
  let budget = figureBudget;
  for (const answer of questions) {
    const figure = figures.get(`question-${answer.id}`);
    const useFigure = figure !== undefined && answer.pairs.length > 0 && budget > 0;
    if (useFigure) budget--;
    blocks.push(...questionBlocks(answer, useFigure ? figure : undefined));
  }
  return blocks;
}

function questionBlocks(answer: QuestionAnswer, figure: ChapterFigure | undefined): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 3, text: answer.title }];
  const hypothesis = answer.hypothesis.replace(/[.\s]+$/, '');
  const source = answer.source !== undefined && !hypothesis.includes(answer.source) ? ` (${answer.source})` : '';
  const content: Inline = [text(`Hypothesis: ${hypothesis}${source}. Metric: ${METRIC_WORDS[answer.metric] ?? answer.metric}. `)];
  if (answer.pairs.length === 0) {
    content.push(text(`It could not be answered: ${answer.note ?? 'nothing was measured'}. Verdict: `), cite(VERDICT_LABEL[answer.verdict], 'question', answer.id, 'verdict'), text('.'));
    blocks.push({ kind: 'paragraph', content });
    return blocks;
  }
  content.push(
    text(`Over ${plural(answer.pairs.length, 'pair')} of configurations, the candidate took `),
    cite(`${formatFactor(answer.ratio)}×`, 'question', answer.id, 'ratio'),
    text(' the baseline’s time (95 % CI '),
    cite(`${formatFactor(answer.ciLow)}–${formatFactor(answer.ciHigh)}`, 'question', answer.id, 'ci'),
    text(`; p ${formatPValue(answer.pValue)}, Holm-adjusted p `),
    cite(formatPValue(answer.pAdjusted).replace('= ', ''), 'question', answer.id, 'p'),
    text(`). ${answer.factor !== undefined ? `The claim is a factor of ${formatFactor(answer.factor)}. ` : ''}Verdict: `),
    cite(VERDICT_LABEL[answer.verdict], 'question', answer.id, 'verdict'),
    text(answer.note ? ` (${answer.note}).` : '.'),
  );
  if (figure) content.push(text(' '), ref('figure', figure.id, 1), text(' shows each pair.'));
  blocks.push({ kind: 'paragraph', content });
  if (figure) blocks.push({ kind: 'figure', id: figure.id, number: '0', caption: figure.caption, path: figure.path });
  else if (answer.pairs.length > 1) {
    blocks.push({
      kind: 'table',
      caption: `${answer.title}: the ratio of medians of each pair.`,
      columns: [
        { title: 'Baseline', align: 'left' },
        { title: 'Candidate', align: 'left' },
        { title: 'Ratio', align: 'right' },
      ],
      rows: answer.pairs.slice(0, 12).map((pair) => [[text(pair.baselineCellId)], [text(pair.candidateCellId)], [text(`${formatFactor(pair.ratio)}×`)]]),
    });
  }
  return blocks;
}
