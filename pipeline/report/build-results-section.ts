import { LIFECYCLE_PHASES, type CellSummary, type LifecyclePhase, type PhaseStats, type Summary } from '../types.ts';
import { axisValuesLabel, cellStatKey, configurationLabel, describeCell, uniqueInOrder, varyingAxes } from './describe-cell.ts';
import { ref, stat, text, type Block, type Inline, type TableColumn } from './document-model.ts';
import { formatFactor, formatMs } from './format-numbers.ts';
import { buildIsolationSubsection } from './build-isolation-section.ts';
import { buildConcurrencySubsection, buildMemorySubsection, lifeCycleCells, SUBSECTION_FIGURES } from './build-resources-section.ts';
import { isolationClassOf } from './isolation-class.ts';

/** What the results section needs to know of a figure; the SVG itself is the format's business. */
export interface FigureReference {
  id: string;
  caption: string;
  /** Relative to the report, e.g. figures/phase-medians.svg. */
  path: string;
}

export const SUMMARY_TABLE_ID = 'per-configuration';
export const RANKING_TABLE_ID = 'ranking';

/**
 * "## Results": the table of every configuration (median with its interval, percentile,
 * n, errors, outliers per phase), the ranking by total life-cycle time, the life-cycle
 * figures, and one sentence per phase naming the fastest configuration; then, where
 * measured, "### Concurrency" (batches), "### Memory and disk" and "### Isolation", each
 * with its table and figures. The isolation probes are in the first table (their phase
 * times are real) but never ranked or named fastest. Every number comes from the summary
 * and is a statistic span (a macro in LaTeX). Tables and figures are numbered by
 * buildDocument, in the order they appear.
 */
export function buildResultsSection(summary: Summary, allFigures: readonly FigureReference[]): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Results' }];
  const ranked = lifeCycleCells(summary);
  const placedLater = new Set(Object.values(SUBSECTION_FIGURES).flat());
  const figures = allFigures.filter((figure) => !placedLater.has(figure.id));
  if (summary.cells.length === 0) {
    blocks.push({ kind: 'paragraph', content: [text('No cell produced a successful measurement; see below.')] });
  } else {
    const confidence = ciLabel(summary);
    blocks.push(
      {
        kind: 'paragraph',
        content: [
          ref('table', SUMMARY_TABLE_ID, 1),
          text(
            ` gives each configuration's phases: the median duration in milliseconds with the bootstrap ${confidence} ` +
              'of the median, the 95th percentile, n (successful measured repetitions, warm-ups excluded), the ' +
              'measured repetitions that failed, and the outliers (modified z-score above 3.5, kept in the statistics). ' +
              'The total is the sum of the phase medians. ',
          ),
          ref('table', RANKING_TABLE_ID, 2),
          text(' ranks the configurations by that total.'),
        ],
      },
      buildSummaryTable(summary),
      ...(ranked.length > 0 ? [buildRankingTable(ranked, summary.cells)] : []),
    );
  }
  if (figures.length > 0) {
    blocks.push({
      kind: 'paragraph',
      content: [
        text('The figures show the same data: '),
        ...figures.flatMap((figure, index): Inline => [
          ...(index === 0 ? [] : [text(index === figures.length - 1 ? ' and ' : ', ')]),
          ref('figure', figure.id, index + 1),
          text(` ${FIGURE_GIST[figure.id] ?? ''}`.trimEnd()),
        ]),
        text('.'),
      ],
    });
  }
  figures.forEach((figure, index) => {
    blocks.push({ kind: 'figure', id: figure.id, number: String(index + 1), caption: figure.caption, path: figure.path });
  });
  const sentences = LIFECYCLE_PHASES.flatMap((phase) => {
    const sentence = fastestSentence(ranked, phase, ciLabel(summary), summary.cells);
    return sentence ? [sentence] : [];
  });
  if (sentences.length > 0) blocks.push({ kind: 'list', items: sentences });
  const subsections: Record<string, Block[]> = {
    Concurrency: buildConcurrencySubsection(summary, ciLabel(summary)),
    'Memory and disk': buildMemorySubsection(summary),
    Isolation: buildIsolationSubsection(summary),
  };
  for (const [title, ids] of Object.entries(SUBSECTION_FIGURES)) {
    const placed = allFigures.filter((figure) => ids.includes(figure.id));
    const content = subsections[title] ?? [];
    if (content.length === 0 && placed.length === 0) continue;
    if (content.length === 0) blocks.push({ kind: 'heading', level: 3, text: title });
    blocks.push(...content);
    if (placed.length > 0) {
      blocks.push({
        kind: 'paragraph',
        content: [
          ...placed.flatMap((figure, index): Inline => [
            text(index === 0 ? '' : index === placed.length - 1 ? ' and ' : ', '),
            ref('figure', figure.id, 0),
            text(` ${FIGURE_GIST[figure.id] ?? ''}`.trimEnd()),
          ]),
          text('.'),
        ],
      });
      for (const figure of placed) blocks.push({ kind: 'figure', id: figure.id, number: '0', caption: figure.caption, path: figure.path });
    }
  }
  return blocks;
}

/** A few words on what each known figure shows, for the sentence that introduces them. */
const FIGURE_GIST: Record<string, string> = {
  'lifecycle-breakdown': 'breaks the life cycle down into its phases',
  'phase-medians': 'gives each phase median with its interval',
  'total-heatmap': 'maps the total life-cycle time',
  'launch-distribution': 'shows how launch latency is spread',
  'storage-strategies': 'sets the storage strategies against image size',
  'grading-time': 'compares the grading time per workload',
  concurrency: 'follows the measured throughput and the launch tail as more containers run at once',
  'peak-memory': 'shows the peak memory per container',
  'disk-usage': 'shows what each storage driver writes to create a container',
  'daemon-memory': 'shows what the runtimes’ daemons hold',
  isolation: 'maps which limits each configuration enforces',
};

/** "95% CI", from the summary's confidence level. */
export function ciLabel(summary: Pick<Summary, 'bootstrap'>): string {
  return `${Math.round((summary.bootstrap?.confidence ?? 0.95) * 100)}% CI`;
}

/** The per-configuration table: six rows per cell (five phases and the total). */
function buildSummaryTable(summary: Summary): Block {
  const cells = summary.cells;
  const axes = varyingAxes(cells);
  const labelAxes = axes.includes('runtime') ? axes : ['runtime' as const, ...axes];
  const columns: TableColumn[] = [
    { title: labelAxes.length > 3 ? 'configuration' : labelAxes.map((axis) => AXIS_TITLE[axis]).join(' · '), align: 'left' },
    { title: 'phase', align: 'left' },
    { title: 'median (ms)', align: 'right' },
    { title: `${ciLabel(summary)} (ms)`, align: 'right' },
    { title: 'p95 (ms)', align: 'right' },
    { title: 'n', align: 'right' },
    { title: 'errors', align: 'right' },
    { title: 'outliers', align: 'right' },
  ];
  const rows: Inline[][] = [];
  const groupStarts: number[] = [];
  // A long name goes over two rows, the configuration above image · workload · N, so
  // that the column stays narrow instead of wrapping.
  const machineAxes = labelAxes.filter((axis) => axis === 'runtime' || axis === 'storageDriver' || axis === 'filesystem');
  const jobAxes = labelAxes.filter((axis) => !(machineAxes as readonly string[]).includes(axis));
  for (const cell of cells) {
    const key = cellStatKey(cell, cells);
    if (rows.length > 0) groupStarts.push(rows.length);
    const whole = axisValuesLabel(cell, labelAxes);
    const lines = whole.length <= LABEL_LINE_CHARS || jobAxes.length === 0 ? [whole] : [axisValuesLabel(cell, machineAxes), axisValuesLabel(cell, jobAxes)];
    LIFECYCLE_PHASES.forEach((phase, index) => {
      const stats = cell.phases[phase];
      const label: Inline = [text(lines[index] ?? '')];
      if (!stats) {
        rows.push([label, [text(phase)], [text('not measured')], [text('—')], [text('—')], [text('0')], [text('—')], [text('—')]]);
        return;
      }
      rows.push([
        label,
        [text(phase)],
        [stat([...key, phase, 'median ms'], formatMs(stats.medianMs))],
        [stat([...key, phase, 'ci low ms'], formatMs(stats.ciLowMs)), text('–'), stat([...key, phase, 'ci high ms'], formatMs(stats.ciHighMs))],
        [stat([...key, phase, 'p95 ms'], formatMs(stats.p95Ms))],
        [stat([...key, phase, 'n'], String(stats.n))],
        [stat([...key, phase, 'errors'], String(stats.errors))],
        typeof stats.outliers === 'number' ? [stat([...key, phase, 'outliers'], String(stats.outliers))] : [text('—')],
      ]);
    });
    rows.push([[text('')], [text('total')], [stat([...key, 'total', 'median ms'], formatMs(cell.totalMedianMs))], [text('—')], [text('—')], [text('')], [text('')], [text('')]]);
  }
  return {
    kind: 'table',
    id: SUMMARY_TABLE_ID,
    number: '1',
    caption:
      'Every measured configuration' +
      (labelAxes.length > 3 ? ` (${labelAxes.map((axis) => AXIS_TITLE[axis]).join(' · ')})` : '') +
      `: median duration per phase with its bootstrap ${ciLabel(summary)}, 95th percentile, n, failed repetitions and outliers; the total is the sum of the phase medians.`,
    columns,
    rows,
    groupStarts,
  };
}

/** A configuration name longer than this goes over two rows of the table. */
const LABEL_LINE_CHARS = 24;

const AXIS_TITLE: Record<string, string> = {
  runtime: 'runtime',
  storageDriver: 'driver',
  filesystem: 'filesystem',
  image: 'image',
  workload: 'workload',
  lifecycle: 'shape',
  netns: 'netns',
  cgroup: 'cgroup',
  concurrency: 'N',
};

/**
 * The ranking by total life-cycle time: within each combination of image, workload and
 * concurrency (ranking across workloads would compare different jobs), fastest first,
 * with each configuration's isolation class and its total relative to the fastest.
 */
function buildRankingTable(cells: readonly CellSummary[], peers: readonly CellSummary[]): Block {
  const variantAxes = varyingAxes(cells, ['image', 'workload', 'lifecycle', 'netns', 'cgroup', 'concurrency']);
  const variantOf = (cell: CellSummary) => axisValuesLabel(cell, variantAxes);
  const variants = uniqueInOrder(cells.map(variantOf));
  const columns: TableColumn[] = [
    ...(variantAxes.length > 0 ? [{ title: variantAxes.map((axis) => AXIS_TITLE[axis]).join(' · '), align: 'left' } as TableColumn] : []),
    { title: 'rank', align: 'right' },
    { title: 'runtime · driver · filesystem', align: 'left' },
    { title: 'isolation', align: 'left' },
    { title: 'total (ms)', align: 'right' },
    { title: '× fastest', align: 'right' },
  ];
  const rows: Inline[][] = [];
  const groupStarts: number[] = [];
  for (const variant of variants) {
    const ranked = rankByTotal(cells.filter((cell) => variantOf(cell) === variant));
    const fastest = ranked[0]?.totalMedianMs ?? 1;
    if (rows.length > 0) groupStarts.push(rows.length);
    ranked.forEach((cell, index) => {
      const key = cellStatKey(cell, peers);
      rows.push([
        ...(variantAxes.length > 0 ? [[text(index === 0 ? variant : '')]] : []),
        [stat([...key, 'rank'], String(index + 1))],
        [text(configurationLabel(cell))],
        [text(isolationClassOf(cell.runtime))],
        [stat([...key, 'total', 'median ms'], formatMs(cell.totalMedianMs))],
        [stat([...key, 'total', 'relative'], formatFactor(cell.totalMedianMs / fastest)), text('×')],
      ]);
    });
  }
  return {
    kind: 'table',
    id: RANKING_TABLE_ID,
    number: '2',
    caption:
      'Configurations ranked by total life-cycle time (sum of the phase medians), fastest first' +
      (variantAxes.length > 0 ? `, within each ${variantAxes.map((axis) => AXIS_TITLE[axis]).join(' · ')}` : '') +
      '; × fastest is the total relative to the first.',
    columns,
    rows,
    groupStarts,
  };
}

/** Cells by total life-cycle time, fastest first; ties keep the matrix's order. */
export function rankByTotal<T extends Pick<CellSummary, 'totalMedianMs'>>(cells: readonly T[]): T[] {
  return cells
    .map((cell, index) => ({ cell, index }))
    .sort((a, b) => a.cell.totalMedianMs - b.cell.totalMedianMs || a.index - b.index)
    .map(({ cell }) => cell);
}

/**
 * "crun on ext4 has the shortest create phase: 11.7 ms (95% CI 11.3–12.3 ms), n = 20."
 * Lowest median wins; on a tie the cell listed first in the matrix does, so the sentence
 * is stable. Undefined when no cell measured the phase.
 */
export function fastestSentence(cells: readonly CellSummary[], phase: LifecyclePhase, confidence = '95% CI', peers: readonly CellSummary[] = cells): Inline | undefined {
  let best: { cell: CellSummary; stats: PhaseStats } | undefined;
  for (const cell of cells) {
    const stats = cell.phases[phase];
    if (stats && (!best || stats.medianMs < best.stats.medianMs)) best = { cell, stats };
  }
  if (!best) return undefined;
  const { cell, stats } = best;
  const key = cellStatKey(cell, peers);
  return [
    text(`${describeCell(cell, cells)} has the shortest ${phase} phase: `),
    stat([...key, phase, 'median ms'], formatMs(stats.medianMs)),
    text(` ms (${confidence} `),
    stat([...key, phase, 'ci low ms'], formatMs(stats.ciLowMs)),
    text('–'),
    stat([...key, phase, 'ci high ms'], formatMs(stats.ciHighMs)),
    text(' ms), n = '),
    stat([...key, phase, 'n'], String(stats.n)),
    text('.'),
  ];
}
