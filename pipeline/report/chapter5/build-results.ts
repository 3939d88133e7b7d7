import { ISOLATION_LIMITS, type CellSummary, type Ranking, type RankingEntry, type Summary } from '../../types.ts';
import { VERDICT_WORDS } from '../build-isolation-section.ts';
import { describeExamCapacity } from '../exam-capacity.ts';
import { ref, text, type Block, type Inline } from '../document-model.ts';
import { formatFactor, formatMs, plural } from '../format-numbers.ts';
import { cite, entryLabel, msWithCi } from './words.ts';

/** A figure the chapter may place: the chart stage's id and caption, the report's path. */
export interface ChapterFigure {
  id: string;
  caption: string;
  path: string;
}

export const RANKING_TABLE_ID = 'ranking';
export const ISOLATION_TABLE_ID = 'isolation-measured';
export const CAPACITY_TABLE_ID = 'capacity';
export const SIZE_TABLE_ID = 'image-size';
export const TASK_TABLE_ID = 'inginious-task';
export const APART_TABLE_ID = 'apart';

/** Published start-up figures of runtimes this host cannot run, marked as published, never as measured. */
export const PUBLISHED_VM_FIGURES: { runtime: string; what: string; totalMs: string; claim: string; source: string }[] = [
  {
    runtime: 'Firecracker',
    what: 'a microVM boot',
    totalMs: '≤ 125',
    claim: 'at most 125 ms from the InstanceStart API call to the guest’s /sbin/init: a boot, not a whole life cycle',
    source: 'Firecracker’s SPECIFICATION.md; Agache et al., NSDI 2020',
  },
  {
    runtime: 'Kata Containers',
    what: 'a pod and its container through CRI',
    totalMs: '850–950',
    claim: 'about 850–950 ms to start a pod and its container end to end through CRI, one at a time (Kata 2.5.2 on Cloud Hypervisor)',
    source: 'the Kuasar project’s benchmark report, kuasar.io, 2023',
  },
];

/**
 * "5.1 Results": what the answer rests on, each a table an author can cite: the ranking on
 * the reference workload per shape (figure + table), the isolation measured inside each
 * runtime, the INGInious task in two containers, the exam load and the hosts it needs,
 * image size, and what is shown apart (an emulated VM, user-space ZFS).
 */
export function buildResults(summary: Summary, figures: ReadonlyMap<string, ChapterFigure>): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Results' }];
  const measured = summary.cells.length;
  const repetitions = summary.cells.reduce((sum, cell) => sum + Math.max(0, ...Object.values(cell.phases).map((stats) => stats.n)), 0);
  blocks.push({
    kind: 'paragraph',
    content: [
      text('This run measured '),
      cite(String(measured), 'cells', 'measured'),
      text(' configurations in '),
      cite(String(repetitions), 'repetitions', 'measured'),
      text(` measured repetitions (warm-ups excluded); ${plural(summary.skipped.length, 'planned cell')} could not run on this host and ${plural(summary.failed.length, 'cell')} failed (Appendix A). Every time below is a median with its 95 % bootstrap confidence interval.`),
    ],
  });
  if (summary.ranking) blocks.push(...rankingBlocks(summary.ranking, figures));
  blocks.push(...isolationBlocks(summary));
  blocks.push(...taskBlocks(summary));
  blocks.push(...capacityBlocks(summary, figures));
  blocks.push(...sizeBlocks(summary));
  blocks.push(...apartBlocks(summary));
  return blocks;
}

function rankingBlocks(ranking: Ranking, figures: ReadonlyMap<string, ChapterFigure>): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', level: 3, text: 'Every runtime on the reference workload' },
    {
      kind: 'paragraph',
      content: [
        text(
          `Each runtime ran ${ranking.reference.workload} on the ${ranking.reference.image} image, one container at a time, with each of its storage drivers and filesystems; it is ranked with its fastest. ` +
            'The exec shape starts a container and execs the grader into it; the command shape (INGInious’s) makes the grader the container’s own process. ',
        ),
        ref('table', RANKING_TABLE_ID, 1),
        text(' gives both shapes.'),
      ],
    },
  ];
  for (const shape of ranking.shapes) {
    const figure = figures.get(`ranking-${shape.lifecycle}`);
    if (figure) blocks.push({ kind: 'figure', id: figure.id, number: '0', caption: figure.caption, path: figure.path });
  }
  const rows: Inline[][] = [];
  const groupStarts: number[] = [];
  for (const shape of ranking.shapes) {
    if (rows.length > 0) groupStarts.push(rows.length);
    const best = shape.entries[0];
    shape.entries.forEach((entry, index) => {
      rows.push([
        [text(shape.lifecycle)],
        [text(String(index + 1))],
        [text(entryLabel(entry))],
        [text(msWithCi(entry.totalMedianMs, entry.totalCiLowMs, entry.totalCiHighMs).replace(' ms', ''))],
        [text(best ? `${formatFactor(entry.totalMedianMs / best.totalMedianMs)}×` : '')],
        [text(isolationWords(entry))],
      ]);
    });
  }
  blocks.push({
    kind: 'table',
    id: RANKING_TABLE_ID,
    caption: 'The ranking on the reference workload, per shape: each runtime with its fastest driver and filesystem, the median time from create to clean in ms [95 % CI], the ratio to the fastest, and the isolation measured (Table 5.3).',
    columns: [
      { title: 'Shape', align: 'left' },
      { title: '#', align: 'right' },
      { title: 'Configuration', align: 'left' },
      { title: 'Total (ms)', align: 'right' },
      { title: '× fastest', align: 'right' },
      { title: 'Isolation', align: 'left' },
    ],
    rows,
    groupStarts,
    csv: 'ranking',
  });
  const unmeasured = ranking.shapes.flatMap((shape) => shape.unmeasured.map((entry) => ({ ...entry, lifecycle: shape.lifecycle })));
  if (unmeasured.length > 0) {
    const byRuntime = new Map<string, string[]>();
    for (const entry of unmeasured) byRuntime.set(`${entry.runtime}: ${entry.reason}`, [...(byRuntime.get(`${entry.runtime}: ${entry.reason}`) ?? []), entry.lifecycle]);
    blocks.push({
      kind: 'paragraph',
      content: [text('Not ranked, with why:')],
    }, {
      kind: 'list',
      items: [...byRuntime.entries()].map(([what, shapes]) => [text(`${shortReason(what)} (${shapes.join(' and ')} shape${shapes.length > 1 ? 's' : ''}).`)]),
    });
  }
  return blocks;
}

function shortReason(reason: string): string {
  return reason.length > 240 ? `${reason.slice(0, 237)}…` : reason;
}

export function isolationWords(entry: RankingEntry): string {
  if (entry.isolationHolds) return `${entry.isolationClass}: holds`;
  if (!entry.isolationProbed) return `${entry.isolationClass}: not probed`;
  const failed = ISOLATION_LIMITS.filter((limit) => entry.limits[limit] !== 'enforced' && entry.limits[limit] !== 'enforced-sandbox-killed');
  if (failed.length > 0) return `${entry.isolationClass}: ${failed.map((limit) => `${limit} ${VERDICT_WORDS[entry.limits[limit] ?? 'not-run']}`).join(', ')}`;
  return `${entry.isolationClass}: seccomp or no_new_privs not seen inside`;
}

function isolationBlocks(summary: Summary): Block[] {
  const entries = new Map<string, RankingEntry>();
  for (const shape of summary.ranking?.shapes ?? []) for (const entry of [...shape.entries, ...shape.emulated]) if (!entries.has(entry.runtime)) entries.set(entry.runtime, entry);
  const runtimes = [...new Set([...entries.keys(), ...summary.limits.map((limit) => limit.runtime)])];
  if (runtimes.length === 0) return [];
  const factsOf = (runtime: string) => entries.get(runtime)?.facts ?? summary.cells.find((cell) => cell.runtime === runtime && cell.facts !== undefined)?.facts;
  const verdictOf = (runtime: string, limit: (typeof ISOLATION_LIMITS)[number]) =>
    entries.get(runtime)?.limits[limit] ?? summary.limits.find((summaryLimit) => summaryLimit.runtime === runtime && summaryLimit.limit === limit)?.verdict;
  const rows = runtimes.map((runtime): Inline[] => {
    const facts = factsOf(runtime);
    return [
      [text(runtime)],
      ...ISOLATION_LIMITS.map((limit): Inline => [text(verdictOf(runtime, limit) ? VERDICT_WORDS[verdictOf(runtime, limit)!] : 'not probed')]),
      [text(facts?.seccomp === undefined ? '—' : facts.seccomp === 2 ? 'filter' : facts.seccomp === 1 ? 'strict' : 'none')],
      [text(facts?.noNewPrivs === undefined ? (facts ? 'not reported' : '—') : facts.noNewPrivs === 1 ? 'yes' : 'no')],
      [text(facts?.userNamespace === undefined ? '—' : facts.userNamespace ? 'yes' : 'no')],
    ];
  });
  return [
    { kind: 'heading', level: 3, text: 'Isolation, measured inside' },
    {
      kind: 'paragraph',
      content: [
        text(
          'Every runtime was given the same profile: Docker’s default seccomp filter, no_new_privs, a memory and a pids limit, and no network. Probes inside the containers check what held: a memory hog, a fork bomb, a look for network interfaces, and the process’s own /proc/self/status and uid map. ',
        ),
        ref('table', ISOLATION_TABLE_ID, 2),
        text(' gives the verdicts (Appendix A has the evidence). gVisor answers system calls in its own kernel, so its /proc shows that kernel’s view, not the host’s filter.'),
      ],
    },
    {
      kind: 'table',
      id: ISOLATION_TABLE_ID,
      caption: 'Isolation measured inside each runtime: whether the memory, pids and network limits held, and what a process inside reports of its seccomp mode, no_new_privs and user namespace (— where not probed).',
      columns: [
        { title: 'Runtime', align: 'left' },
        ...ISOLATION_LIMITS.map((limit) => ({ title: limit, align: 'left' as const })),
        { title: 'seccomp', align: 'left' },
        { title: 'no_new_privs', align: 'left' },
        { title: 'userns', align: 'left' },
      ],
      rows,
      csv: 'isolation-measured',
    },
  ];
}

function taskBlocks(summary: Summary): Block[] {
  const cells = summary.cells.filter((cell) => cell.workload.startsWith('inginious-task') && cell.probe === undefined);
  if (cells.length === 0) return [];
  const sorted = [...cells].sort((a, b) => a.workload.localeCompare(b.workload) || a.totalMedianMs - b.totalMedianMs);
  return [
    { kind: 'heading', level: 3, text: 'The INGInious task in two containers' },
    {
      kind: 'paragraph',
      content: [
        text('INGInious grades a submission with two containers: the grading container, and a student container that it asks, through a shared socket folder, to run the student’s code. '),
        ref('table', TASK_TABLE_ID, 3),
        text(' gives that task end to end per runtime (the sum of the phase medians of both containers’ life cycles).'),
      ],
    },
    {
      kind: 'table',
      id: TASK_TABLE_ID,
      caption: 'The two-container INGInious task per runtime: median of each phase and their sum, in ms.',
      columns: [
        { title: 'Task', align: 'left' },
        { title: 'Configuration', align: 'left' },
        { title: 'create', align: 'right' },
        { title: 'launch', align: 'right' },
        { title: 'execute', align: 'right' },
        { title: 'clean', align: 'right' },
        { title: 'Total', align: 'right' },
      ],
      rows: sorted.map((cell) => [
        [text(cell.workload)],
        [text(entryLabel(cell))],
        ...(['create', 'launch', 'execute', 'clean'] as const).map((phase): Inline => [text(cell.phases[phase] ? formatMs(cell.phases[phase]!.medianMs) : '—')]),
        [text(formatMs(cell.totalMedianMs))],
      ]),
      csv: 'inginious-task',
    },
  ];
}

function capacityBlocks(summary: Summary, figures: ReadonlyMap<string, ChapterFigure>): Block[] {
  const load = summary.load;
  if (!load || load.series.length === 0) return [];
  const figure = figures.get('capacity');
  const hosts = describeExamCapacity(
    load.exam,
    load.series.map((series) => ({ runtime: series.runtime, maxSustainableRatePerSecond: series.maxSustainableRatePerSecond })),
    load.sloP95Ms,
  );
  const best = [...load.series].filter((series) => series.maxSustainableRatePerSecond !== null).sort((a, b) => b.maxSustainableRatePerSecond! - a.maxSustainableRatePerSecond!)[0];
  return [
    { kind: 'heading', level: 3, text: 'Waiting time under exam load' },
    {
      kind: 'paragraph',
      content: [
        text(
          `Submissions of the INGInious task arrived at random (Poisson) at rising rates, served ${load.series[0]!.rates[0]?.slots ?? 1} at a time, as an exam’s last minutes send them. A rate is sustainable when the graded completions keep up with the arrivals (short by at most 5 % plus the submissions still in service as the window closes) and 95 % of submissions are graded within ${formatMs(load.sloP95Ms / 1000)} s of arriving. `,
        ),
        ref('table', CAPACITY_TABLE_ID, 4),
        text(' gives each runtime’s highest sustainable rate. '),
        ...(figure ? [ref('figure', figure.id, 1), text(' shows the 95th percentile of latency (arrival to graded result) against the rate.')] : []),
      ],
    },
    ...(figure ? [{ kind: 'figure' as const, id: figure.id, number: '0', caption: figure.caption, path: figure.path }] : []),
    {
      kind: 'table',
      id: CAPACITY_TABLE_ID,
      caption: `Exam capacity per runtime on this host: the highest tested rate that was sustainable [95 % CI] (≥ where even the highest rate tested was), the p95 latency there, and the hosts the exam of ${load.exam.students} students needs.`,
      columns: [
        { title: 'Runtime', align: 'left' },
        { title: 'Max sustainable (/s)', align: 'right' },
        { title: 'p95 latency there (ms)', align: 'right' },
        { title: 'Hosts for the exam', align: 'right' },
      ],
      rows: load.series.map((series) => {
        const at = series.rates.find((rate) => rate.ratePerSecond === series.maxSustainableRatePerSecond);
        const hostsFor = load.hostsForExam.find((entry) => entry.runtime === series.runtime && entry.configLabel === series.configLabel)?.hosts;
        return [
          [text(`${series.runtime} (${series.configLabel})`)],
          [
            text(
              series.maxSustainableRatePerSecond === null
                ? 'none'
                : // The highest rate tested was sustained: the host's limit lies above it.
                  `${series.maxSustainableRatePerSecond === series.rates.at(-1)?.ratePerSecond ? '≥ ' : ''}${formatFactor(series.maxSustainableRatePerSecond)} [${formatFactor(series.maxSustainableRateCi[0])}–${formatFactor(series.maxSustainableRateCi[1])}]`,
            ),
          ],
          [text(at?.latency.p95Ms != null ? formatMs(at.latency.p95Ms) : '—')],
          [text(hostsFor == null ? 'unknown' : String(hostsFor))],
        ];
      }),
      csv: 'capacity',
    },
    {
      kind: 'paragraph',
      content: [
        cite(hosts, 'exam', 'hosts', 'sentence'),
        ...(best ? [text(' The best runtime here, '), text(best.runtime), text(', sustains '), cite(formatFactor(best.maxSustainableRatePerSecond!), 'max', 'sustainable', 'rate'), text(' submissions a second on this 2-core host.')] : []),
      ],
    },
  ];
}

function sizeBlocks(summary: Summary): Block[] {
  const slopes = (summary.sizeSlopes ?? []).filter((slope) => slope.phase === 'create');
  if (slopes.length === 0) return [];
  const sorted = [...slopes].sort((a, b) => b.slopeMsPerGiB - a.slopeMsPerGiB);
  const growing = sorted.filter((slope) => slope.grows);
  return [
    { kind: 'heading', level: 3, text: 'Image size' },
    {
      kind: 'paragraph',
      content: [
        text(`The same life cycle ran on images padded to 64 MiB, 256 MiB and 1 GiB. `),
        ref('table', SIZE_TABLE_ID, 5),
        text(
          ` gives the growth of create per GiB of image. ${growing.length === 0 ? 'No driver’s create grew measurably with the image.' : `${growing.map((slope) => `${slope.runtime} · ${slope.storageDriver}`).join(', ')} grew with the image; the others did not measurably.`}`,
        ),
      ],
    },
    {
      kind: 'table',
      id: SIZE_TABLE_ID,
      caption: 'Create time against image size: least-squares slope in ms per GiB of image [95 % bootstrap CI], and create at the smallest and largest image.',
      columns: [
        { title: 'Configuration', align: 'left' },
        { title: 'ms per GiB', align: 'right' },
        { title: 'Smallest (ms)', align: 'right' },
        { title: 'Largest (ms)', align: 'right' },
        { title: 'Grows', align: 'left' },
      ],
      rows: sorted.map((slope) => [
        [text(entryLabel(slope))],
        [text(`${formatMs(slope.slopeMsPerGiB)} [${formatMs(slope.ciLowMsPerGiB)}–${formatMs(slope.ciHighMsPerGiB)}]`)],
        [text(formatMs(slope.points[0]!.medianMs))],
        [text(formatMs(slope.points.at(-1)!.medianMs))],
        [text(slope.grows ? 'yes' : 'no')],
      ]),
      csv: 'image-size',
    },
  ];
}

function apartBlocks(summary: Summary): Block[] {
  const vmCells = summary.cells.filter((cell) => cell.runtime.startsWith('qemu-microvm') && cell.probe === undefined);
  const zfsFuse = summary.cells.filter((cell) => cell.filesystem === 'zfs-fuse' && cell.probe === undefined);
  if (vmCells.length === 0 && zfsFuse.length === 0) return [];
  const rows: Inline[][] = [...vmCells, ...zfsFuse].map((cell) => [
    [text(entryLabel(cell))],
    [text(`${cell.image}, ${cell.workload}, ${cell.lifecycle}`)],
    [text(formatMs(cell.totalMedianMs))],
    [text(cell.runtime.startsWith('qemu-microvm') ? (cell.runtime.endsWith('+tcg') ? 'emulated (TCG), measured' : 'measured') : 'user-space ZFS (FUSE), measured')],
  ]);
  for (const published of PUBLISHED_VM_FIGURES) rows.push([[text(published.runtime)], [text(published.what)], [text(published.totalMs)], [text('published, not measured (see the text)')]]);
  return [
    { kind: 'heading', level: 3, text: 'Shown apart: a virtual machine, user-space ZFS' },
    {
      kind: 'paragraph',
      content: [
        text(
          'This host has no usable KVM, so a QEMU microVM could run only under TCG, which emulates every instruction: its times say what the life cycle of a VM involves, not how fast one is. zfs-fuse runs ZFS in user space, behind FUSE, so its times are not those of kernel ZFS. Neither is ranked. ',
        ),
        ref('table', APART_TABLE_ID, 6),
        text(
          ` gives them, with published figures marked as such; both runtimes need KVM, which this host lacks. ${PUBLISHED_VM_FIGURES.map((published) => `${published.runtime}: ${published.claim} (${published.source}).`).join(' ')} Neither is the life cycle measured here, so neither is compared with it.`,
        ),
      ],
    },
    {
      kind: 'table',
      id: APART_TABLE_ID,
      caption: 'Measured apart, never ranked: the microVM under emulation and ZFS in user space (sum of phase medians, ms); published figures for runtimes this host cannot run.',
      columns: [
        { title: 'Configuration', align: 'left' },
        { title: 'Image, workload, shape', align: 'left' },
        { title: 'Total (ms)', align: 'right' },
        { title: 'What it is', align: 'left' },
      ],
      rows,
      csv: 'apart',
    },
  ];
}

export type { CellSummary };
