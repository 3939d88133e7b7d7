import { LIFECYCLE_PHASES, type Manifest, type Summary } from '../types.ts';
import { orderKeys } from './describe-cell.ts';
import { code, stat, text, type Block, type Inline } from './document-model.ts';
import { formatFactor, plural } from './format-numbers.ts';
import { PHASE_MEANING } from './phase-words.ts';

/**
 * "## Tests": what was measured and how — the matrix, each phase and the command behind it,
 * repetitions, warm-up, seed, the statistics and the limits every container ran under.
 * From the manifest and the summary's own settings (bootstrap resamples and confidence).
 */
export function buildTestsSection(manifest: Manifest, summary: Pick<Summary, 'bootstrap' | 'seed' | 'adaptive'>): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'Tests' },
    ...buildMatrix(manifest),
    // What each phase does stays here; the table of every runtime's commands is the appendix's.
    ...buildPhases(manifest).filter((block) => block.kind !== 'table'),
    ...buildRepetitions(manifest, summary),
    ...buildLimits(manifest),
  ];
}

function buildMatrix(manifest: Manifest): Block[] {
  const { matrix } = manifest;
  const feasible = manifest.cells.filter((cell) => cell.feasible).length;
  const axes = matrix.axes;
  const images = orderKeys(Object.keys(manifest.images ?? {}), axes.image);
  const axisItems: [string, (string | number)[]][] = [
    ['runtimes', axes.runtime],
    ['storage drivers', axes.storageDriver],
    ['filesystems', axes.filesystem],
    ['images', axes.image],
    ['workloads', axes.workload],
    ['concurrency (containers run at once)', axes.concurrency],
  ];
  return [
    { kind: 'heading', level: 3, text: 'Matrix' },
    {
      kind: 'paragraph',
      content: [
        text(
          'A cell is one combination of runtime, storage driver, filesystem, image, workload and concurrency. ' +
            'The matrix lists the values of each axis; the plan expands every combination and skips, with the reason, ' +
            'those this host cannot run (listed at the end of the chapter).',
        ),
      ],
    },
    {
      kind: 'list',
      items: [
        [text('Name: '), code(matrix.name), ...(matrix.description ? [text(`: ${matrix.description}`)] : [])],
        [text('File: '), code(manifest.matrixPath), text(', SHA-256 '), code(manifest.matrixSha256.slice(0, 12))],
        ...axisItems.map(([name, values]): Inline => [text(`${capitalise(name)}: ${values.join(', ')}`)]),
        [
          text('Cells: '),
          stat(['cells planned'], String(manifest.cells.length)),
          text(' planned, '),
          stat(['cells feasible'], String(feasible)),
          text(' feasible on this host'),
        ],
      ],
    },
    ...(images.length > 0
      ? [
          {
            kind: 'paragraph',
            content: [
              text('Images, as root filesystem tarballs built without a registry: '),
              ...images.flatMap((image, index): Inline => {
                const record = manifest.images?.[image];
                const size: Inline = record
                  ? [text(' ('), stat(['image', image, 'MiB'], formatFactor(record.tarballBytes / 2 ** 20)), text(' MiB, SHA-256 '), code(record.tarballSha256.slice(0, 12)), text(')')]
                  : [];
                return [...(index > 0 ? [text('; ')] : []), code(image), ...size];
              }),
              text('.'),
            ],
          } satisfies Block,
        ]
      : []),
  ];
}

/** The phases and the command each runs per runtime and driver: the appendix's, since it runs long. */
export function buildPhases(manifest: Manifest): Block[] {
  const order = (key: string) => {
    const [runtime = '', driver = ''] = key.split('/');
    const runtimeIndex = manifest.matrix.axes.runtime.indexOf(runtime);
    const driverIndex = manifest.matrix.axes.storageDriver.indexOf(driver);
    return [runtimeIndex < 0 ? Infinity : runtimeIndex, driverIndex < 0 ? Infinity : driverIndex] as const;
  };
  const keys = orderKeys(Object.keys(manifest.phaseCommands), []).sort((a, b) => {
    const [ra, da] = order(a);
    const [rb, db] = order(b);
    return ra - rb || da - db;
  });
  return [
    { kind: 'heading', level: 3, text: 'Phases' },
    {
      kind: 'paragraph',
      content: [
        text(
          'Each repetition takes one container through its life cycle, timing each phase on its own with a monotonic ' +
            'clock around the operation only: the runtime is spawned directly (no shell), its output goes to files, and ' +
            'logging happens after the clock stops.',
        ),
      ],
    },
    { kind: 'list', items: LIFECYCLE_PHASES.map((phase): Inline => [text(`${phase}: ${PHASE_MEANING[phase]}`)]) },
    {
      kind: 'paragraph',
      content: [text('The commands timed for each phase, per runtime (and storage driver), as the run recorded them:')],
    },
    keys.length === 0
      ? { kind: 'paragraph', content: [text('No phase commands were recorded.')] }
      : {
          kind: 'table',
          columns: [
            { title: 'runtime', align: 'left' },
            { title: 'phase', align: 'left' },
            { title: 'command', align: 'left' },
          ],
          rows: keys.flatMap((key) =>
            LIFECYCLE_PHASES.map((phase, index) => {
              const command = manifest.phaseCommands[key]?.[phase];
              return [[text(index === 0 ? key : '')], [text(phase)], command ? [code(command)] : [text('not recorded')]];
            }),
          ),
          groupStarts: keys.map((_, index) => index * LIFECYCLE_PHASES.length).filter((index) => index > 0),
        },
  ];
}

function buildRepetitions(manifest: Manifest, summary: Pick<Summary, 'bootstrap' | 'seed' | 'adaptive'>): Block[] {
  const { matrix } = manifest;
  const confidence = `${Math.round((summary.bootstrap?.confidence ?? 0.95) * 100)}%`;
  const resamples = summary.bootstrap?.resamples;
  const blocks = typeof matrix.blockRepetitions === 'number' && matrix.blockRepetitions < matrix.repetitions;
  const items: Inline[] = [
    [
      text('Repetitions: '),
      stat(['repetitions'], String(matrix.repetitions)),
      text(` measured per cell${matrix.adaptive ? ' at most' : ''}, after `),
      stat(['warmup'], String(matrix.warmup)),
      text(` warm-up ${matrix.warmup === 1 ? 'repetition' : 'repetitions'}${blocks ? ' per block' : ''}, recorded but left out of the statistics`),
    ],
    ...(blocks
      ? [[
          text(`Blocks: ${plural(matrix.blockRepetitions, 'repetition')} of a cell per block, each block on a fresh volume, the cells in an order shuffled with the seed`),
        ]]
      : []),
    ...(matrix.adaptive
      ? [[
          text(
            `Adaptive stopping: a cell stops after at least ${matrix.adaptive.minRepetitions} repetitions once the ${confidence} ` +
              `interval of every phase median is within ±${formatFactor(matrix.adaptive.targetRelativeHalfWidth * 100)}% of it`,
          ),
          ...(summary.adaptive !== undefined
            ? [
                text('; '),
                stat(['adaptive cells stopped early'], String(summary.adaptive.cellsStoppedEarly)),
                text(` of ${summary.adaptive.cells} cells stopped early, saving `),
                stat(['adaptive repetitions saved'], String(summary.adaptive.repetitionsSaved)),
                text(' repetitions, about '),
                stat(['adaptive saved s'], formatFactor(summary.adaptive.savedMs / 1000)),
                text(' s of measuring'),
              ]
            : []),
        ]]
      : []),
    [text(`Phase timeout: ${matrix.phaseTimeoutMs} ms; a phase running longer is killed and counted as an error`)],
    [text('Seed: '), stat(['seed'], String(summary.seed ?? matrix.seed)), text(' (for everything random: the order of cells and the bootstrap)')],
  ];
  return [
    { kind: 'heading', level: 3, text: 'Repetitions and statistics' },
    { kind: 'list', items },
    {
      kind: 'paragraph',
      content: [
        text(
          `Each phase is summarised by its median, with a percentile-bootstrap ${confidence} confidence interval of the median`,
        ),
        ...(resamples ? [text(' ('), stat(['bootstrap resamples'], String(resamples)), text(' resamples)')] : []),
        text(
          ', its 95th and 99th percentiles, and a count of outliers: samples whose modified z-score (from the median and ' +
            'the median absolute deviation) exceeds 3.5. Outliers are shown, never dropped. A cell’s total is the median of its ' +
            'per-repetition totals (create to clean of one container), with its own interval. Chapter 5 answers the questions ' +
            'the matrix declares, as one family: the effect of each is the geometric mean of the ratios of medians of the pairs ' +
            `of cells it compares, with a bootstrap ${confidence}, and its p that of a rank-sum test stratified by pair, ` +
            'Holm-adjusted across the questions. Every other pair of cells that differ in one axis is compared on each phase ' +
            `(ratio of medians with its ${confidence}, a two-sided Mann–Whitney U test, Cliff's delta), as one exploratory ` +
            'family, Holm-adjusted, in the appendix. One rule decides everywhere: a difference is significant when its ' +
            `Holm-adjusted p is below 0.05 and the ${confidence} of the ratio excludes 1.`,
        ),
      ],
    },
  ];
}

function buildLimits(manifest: Manifest): Block[] {
  const limits = manifest.limits;
  return [
    { kind: 'heading', level: 3, text: 'Container limits' },
    {
      kind: 'paragraph',
      content: limits
        ? [
            text('Every container ran as an INGInious grading container would: memory limited to '),
            stat(['limit memory MiB'], formatFactor(limits.memoryBytes / 2 ** 20)),
            text(' MiB, at most '),
            stat(['limit pids'], String(limits.pids)),
            text(' processes, '),
            ...(limits.cpus !== undefined ? [stat(['limit cpus'], String(limits.cpus)), text(' CPU of time per second (a CFS quota), ')] : [text('no CPU limit, ')]),
            text(`and network ${limits.network === 'none' ? 'none (a network namespace of its own without an interface but a down loopback)' : limits.network}.`),
          ]
        : [text('The run did not record the limits its containers ran under.')],
    },
  ];
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
