import { AXES, type Axis, type CellSummary, type Comparison, type Summary } from '../types.ts';
import { uniqueInOrder, varyingAxes } from './describe-cell.ts';
import { stat, text, type Block, type Inline } from './document-model.ts';
import { formatFactor, formatPValue } from './format-numbers.ts';
import { PHASE_GERUND, PHASE_SUBJECT, RUNTIME_VERB, type ComparedPhase } from './phase-words.ts';
import { ciLabel } from './build-results-section.ts';

/** The order of the sentences about one pair: the whole life cycle first, then each phase. */
export const COMPARED_PHASES: readonly ComparedPhase[] = ['total', 'create', 'launch', 'execute', 'stop', 'clean'];

/** Up to this many configurations are named one by one; more are summed up as a range. */
const MAX_LISTED = 4;

export const AXIS_HEADING: Record<Axis, string> = {
  runtime: 'Runtime',
  storageDriver: 'Storage driver',
  filesystem: 'Filesystem',
  image: 'Image',
  workload: 'Workload',
  lifecycle: 'Life-cycle shape',
  netns: 'Network namespace',
  cgroup: 'Cgroup',
  concurrency: 'Concurrency',
};

/**
 * "## Interpretation": what the comparisons say, one subsection per axis, one sentence per
 * pair of values and phase. A difference is stated only when the comparison is significant
 * (p < 0.05 and the interval of the ratio excludes 1), as "X× faster" with the interval and
 * the p-value; otherwise the sentence says there is no significant difference.
 */
export function buildInterpretationSection(summary: Summary): Block[] {
  const comparisons = summary.comparisons ?? [];
  const confidence = ciLabel(summary);
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Interpretation' },
    {
      kind: 'paragraph',
      content: [
        text(
          'Each statement compares configurations that differ in one axis only, phase by phase. "X× faster" is the ' +
            'ratio of the two medians, slower over faster, followed by the bootstrap ' +
            `${confidence} of that ratio and the p-value of a two-sided Mann–Whitney U test. A difference is stated only ` +
            `when p < 0.05 and the ${confidence} excludes 1; otherwise the statement is that there is no significant ` +
            'difference, with the ratio of the medians (the first named over the second).',
        ),
      ],
    },
  ];
  if (comparisons.length === 0) {
    blocks.push({
      kind: 'paragraph',
      content: [text('No two measured configurations differ in a single axis, so the summary holds no comparison to interpret.')],
    });
    return blocks;
  }
  const sentences = new ComparisonSentences(summary);
  for (const axis of AXES) {
    const ofAxis = comparisons.filter((comparison) => comparison.axis === axis);
    if (ofAxis.length === 0) continue;
    blocks.push({ kind: 'heading', level: 3, text: AXIS_HEADING[axis] });
    const pairs = uniqueInOrder(ofAxis.map((comparison) => pairKey(comparison)));
    const items: Inline[] = [];
    for (const pair of pairs) {
      const ofPair = ofAxis.filter((comparison) => pairKey(comparison) === pair);
      for (const phase of COMPARED_PHASES) {
        const ofPhase = ofPair.filter((comparison) => comparison.phase === phase);
        if (ofPhase.length > 0) items.push(...sentences.about(ofPhase));
      }
    }
    blocks.push({ kind: 'list', items });
  }
  return blocks;
}

function pairKey(comparison: Comparison): string {
  return `${comparison.baselineValue}\u0000${comparison.candidateValue}`;
}

/** A comparison seen from the faster side: "faster is factor× faster than slower". */
interface Oriented {
  comparison: Comparison;
  faster: string;
  slower: string;
  factor: number;
  factorLow: number;
  factorHigh: number;
}

function orient(comparison: Comparison): Oriented {
  const candidateFaster = comparison.ratio < 1;
  return candidateFaster
    ? {
        comparison,
        faster: comparison.candidateValue,
        slower: comparison.baselineValue,
        factor: 1 / comparison.ratio,
        factorLow: 1 / comparison.ciHigh,
        factorHigh: 1 / comparison.ciLow,
      }
    : {
        comparison,
        faster: comparison.baselineValue,
        slower: comparison.candidateValue,
        factor: comparison.ratio,
        factorLow: comparison.ciLow,
        factorHigh: comparison.ciHigh,
      };
}

/**
 * Sentences about comparisons, with every number a statistic span. Comparisons of one
 * pair of values and one phase, across contexts (the other axes' values), become one
 * sentence per outcome: the contexts where one side is faster, those where the other is,
 * and those without a significant difference.
 */
export class ComparisonSentences {
  private readonly cells: Map<string, CellSummary>;
  private readonly contextAxes: Axis[];
  private readonly confidence: string;

  constructor(summary: Summary) {
    this.cells = new Map(summary.cells.map((cell) => [cell.cellId, cell]));
    this.contextAxes = varyingAxes(summary.cells);
    this.confidence = ciLabel(summary);
  }

  /** Sentences about comparisons sharing axis, pair of values and phase. */
  about(comparisons: readonly Comparison[]): Inline[] {
    const first = comparisons[0];
    if (!first) return [];
    const significant = comparisons.filter((comparison) => comparison.significant).map(orient);
    const byFaster = uniqueInOrder(significant.map((oriented) => oriented.faster));
    const sentences = byFaster.map((faster) =>
      this.differenceSentence(significant.filter((oriented) => oriented.faster === faster), comparisons.length),
    );
    const none = comparisons.filter((comparison) => !comparison.significant);
    if (none.length > 0) sentences.push(this.noDifferenceSentence(none, comparisons.length));
    return sentences;
  }

  /** The context of a comparison in words: "on ext4, with image tiny"; '' when nothing else varies. */
  context(comparison: Comparison): string {
    const cell = this.cells.get(comparison.candidateCellId);
    if (!cell) return `(${comparison.baselineCellId} and ${comparison.candidateCellId})`;
    return this.contextAxes
      .filter((axis) => axis !== comparison.axis)
      .map((axis) => CONTEXT_PHRASE[axis](String(cell[axis])))
      .join(', ');
  }

  /** The words naming a comparison's statistics: axis, both values, context values, phase. */
  key(comparison: Comparison): string[] {
    const cell = this.cells.get(comparison.candidateCellId);
    const context = cell
      ? this.contextAxes.filter((axis) => axis !== comparison.axis).map((axis) => (axis === 'concurrency' ? `conc ${cell.concurrency}` : String(cell[axis])))
      : [comparison.candidateCellId];
    return ['cmp', comparison.axis, comparison.candidateValue, 'vs', comparison.baselineValue, ...context, comparison.phase];
  }

  /** "(95% CI 2.21–2.52×, p < 0.001)" and the factor itself, as spans. */
  private factorSpans(oriented: Oriented): { factor: Inline; interval: Inline } {
    const key = this.key(oriented.comparison);
    return {
      factor: [stat([...key, 'factor'], formatFactor(oriented.factor)), text('×')],
      interval: [
        text(`${this.confidence} `),
        stat([...key, 'factor low'], formatFactor(oriented.factorLow)),
        text('–'),
        stat([...key, 'factor high'], formatFactor(oriented.factorHigh)),
        text('×, p '),
        stat([...key, 'p'], formatPValue(oriented.comparison.pValue)),
      ],
    };
  }

  private differenceSentence(group: Oriented[], compared: number): Inline {
    const first = group[0] as Oriented;
    const { axis, phase } = first.comparison;
    const lead = (factor: Inline): Inline =>
      axis === 'runtime'
        ? [text(`${first.faster} ${RUNTIME_VERB[phase]} `), ...factor, text(`faster than ${first.slower}`)]
        : [text(`${PHASE_SUBJECT[phase]} is `), ...factor, text(`faster ${VALUE_PHRASE[axis](first.faster)} than ${VALUE_PHRASE[axis](first.slower)}`)];
    if (group.length === 1) {
      const { factor, interval } = this.factorSpans(first);
      const context = this.context(first.comparison);
      return [...lead([...factor, text(' ')]), text(context ? ` ${context}` : ''), text(' ('), ...interval, text(').')];
    }
    if (group.length <= MAX_LISTED) {
      return [
        ...lead([]),
        text(': '),
        ...group.flatMap((oriented, index): Inline => {
          const { factor, interval } = this.factorSpans(oriented);
          const separator = index === 0 ? [] : [text(index === group.length - 1 ? ' and ' : ', ')];
          return [...separator, ...factor, text(` ${this.context(oriented.comparison)} (`), ...interval, text(')')];
        }),
        text('.'),
      ];
    }
    // Many contexts: the range of the factors and the largest p-value.
    const key = ['cmp', axis, first.faster, 'over', first.slower, phase];
    const factors = group.map((oriented) => oriented.factor);
    const largestP = Math.max(...group.map((oriented) => oriented.comparison.pValue));
    return [
      ...lead([]),
      text(group.length === compared ? ` in all ` : ` in `),
      stat([...key, 'count'], String(group.length)),
      text(group.length === compared ? ' configurations compared: ' : ` of the ${compared} configurations compared: `),
      stat([...key, 'factor min'], formatFactor(Math.min(...factors))),
      text('–'),
      stat([...key, 'factor max'], formatFactor(Math.max(...factors))),
      text(`×, each ${this.confidence} excluding 1, `),
      ...(largestP < 0.001
        ? [text('each p < 0.001')]
        : [text('largest p '), stat([...key, 'p max'], formatPValue(largestP))]),
      text('.'),
    ];
  }

  private noDifferenceSentence(group: Comparison[], compared: number): Inline {
    const first = group[0] as Comparison;
    const { axis, phase } = first;
    const lead = `No significant difference between ${first.candidateValue} and ${first.baselineValue} in ${PHASE_GERUND[phase]}`;
    const ratioSpans = (comparison: Comparison): Inline => {
      const key = this.key(comparison);
      return [
        text('ratio '),
        stat([...key, 'ratio'], formatFactor(comparison.ratio)),
        text(`, ${this.confidence} `),
        stat([...key, 'ratio low'], formatFactor(comparison.ciLow)),
        text('–'),
        stat([...key, 'ratio high'], formatFactor(comparison.ciHigh)),
        text(', p '),
        stat([...key, 'p'], formatPValue(comparison.pValue)),
      ];
    };
    if (group.length === 1) {
      const context = this.context(first);
      return [text(`${lead}${context ? ` ${context}` : ''} (`), ...ratioSpans(first), text(').')];
    }
    if (group.length <= MAX_LISTED) {
      return [
        text(`${lead}: `),
        ...group.flatMap((comparison, index): Inline => [
          ...(index === 0 ? [] : [text(index === group.length - 1 ? ' and ' : ', ')]),
          text(`${this.context(comparison)} (`),
          ...ratioSpans(comparison),
          text(')'),
        ]),
        text('.'),
      ];
    }
    const key = ['cmp', axis, first.candidateValue, 'vs', first.baselineValue, phase, 'no difference'];
    const ratios = group.map((comparison) => comparison.ratio);
    return [
      text(`${lead} in ${group.length === compared ? 'all ' : ''}`),
      stat([...key, 'count'], String(group.length)),
      text(group.length === compared ? ' configurations compared (ratios ' : ` of the ${compared} configurations compared (ratios `),
      stat([...key, 'ratio min'], formatFactor(Math.min(...ratios))),
      text('–'),
      stat([...key, 'ratio max'], formatFactor(Math.max(...ratios))),
      text(').'),
    ];
  }
}

/** How a sentence names a configuration's value on an axis it is not about. */
const CONTEXT_PHRASE: Record<Axis, (value: string) => string> = {
  runtime: (value) => `under ${value}`,
  storageDriver: (value) => `with ${value}`,
  filesystem: (value) => `on ${value}`,
  image: (value) => `with image ${value}`,
  workload: (value) => `running ${value}`,
  lifecycle: (value) => `in the ${value} shape`,
  netns: (value) => `with a ${value} network namespace`,
  cgroup: (value) => `with a ${value} cgroup`,
  concurrency: (value) => `at N = ${value}`,
};

/** How a sentence names the two values it compares, on the axes other than runtime. */
const VALUE_PHRASE: Record<Axis, (value: string) => string> = {
  runtime: (value) => `under ${value}`,
  storageDriver: (value) => `with the ${value} driver`,
  filesystem: (value) => `on ${value}`,
  image: (value) => `with image ${value}`,
  workload: (value) => `for ${value}`,
  lifecycle: (value) => `in the ${value} shape`,
  netns: (value) => `with a ${value} network namespace`,
  cgroup: (value) => `with a ${value} cgroup`,
  concurrency: (value) => `at N = ${value}`,
};
