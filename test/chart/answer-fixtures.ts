import type { LoadRateSummary, LoadSeriesSummary } from '../../pipeline/analyse/summarise-load.ts';
import type {
  CellSummary,
  IsolationClass,
  Lifecycle,
  LimitSummary,
  LoadSummary,
  Manifest,
  PhaseStats,
  QuestionAnswer,
  Ranking,
  RankingEntry,
  Summary,
} from '../../pipeline/types.ts';
import { LIFECYCLE_PHASES } from '../../pipeline/types.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';

/**
 * Summaries with what the analyse stage adds for chapter 5 (questions, ranking, load), made
 * here from their types: `wideWithAnswers` the wide fixture answered, `thesisSized` as many
 * cells as experiments/chapter5.yaml measures (ten runtimes, both shapes, three filesystems,
 * four image sizes, SOCK's levers), the size every figure must still fit the page at.
 */

/** Phase statistics around a median, spread as a real phase is. */
export function statsAround(medianMs: number, n = 6): PhaseStats {
  return {
    n, errors: 0, medianMs, ciLowMs: medianMs * 0.95, ciHighMs: medianMs * 1.06, meanMs: medianMs * 1.02, stdDevMs: medianMs * 0.05,
    minMs: medianMs * 0.8, maxMs: medianMs * 1.5, p25Ms: medianMs * 0.92, p75Ms: medianMs * 1.08, p95Ms: medianMs * 1.3, p99Ms: medianMs * 1.4, outliers: 0,
  };
}

/** A small deterministic number in [0, 1) from a string. */
function jitter(text: string): number {
  let hash = 2166136261;
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return (hash % 1000) / 1000;
}

const RUNTIME_MS: Record<string, number> = {
  runc: 90, crun: 45, runsc: 260, docker: 420, 'docker+crun': 380, 'docker+runsc': 640, podman: 510, 'podman+crun': 470, lxc: 140, lxd: 900,
};

interface CellShape {
  runtime: string;
  storageDriver: string;
  filesystem: string;
  image?: string;
  workload?: string;
  lifecycle?: Lifecycle;
  netns?: CellSummary['netns'];
  cgroup?: CellSummary['cgroup'];
  concurrency?: number;
}

const IMAGE_FACTOR: Record<string, number> = { tiny: 1, grader: 1.6, 'sized-64m': 2, 'sized-256m': 4, 'sized-1g': 9 };

/** A measured cell of the given axes, its phases from a model of the runtime, driver and image. */
export function modelCell(shape: CellShape): CellSummary {
  const cell = { image: 'tiny', workload: 'noop', lifecycle: 'exec' as Lifecycle, netns: 'fresh' as const, cgroup: 'fresh' as const, concurrency: 1, ...shape };
  const netnsPart = cell.netns === 'fresh' ? '' : `.netns-${cell.netns}`;
  const cgroupPart = cell.cgroup === 'fresh' ? '' : `.cgroup-${cell.cgroup}`;
  const cellId = `${cell.runtime}.${cell.storageDriver}.${cell.filesystem}.${cell.image}.${cell.workload}.${cell.lifecycle}${netnsPart}${cgroupPart}.c${cell.concurrency}`;
  const base = (RUNTIME_MS[cell.runtime] ?? 300) * (0.8 + 0.4 * jitter(cellId));
  const deep = ['copy', 'vfs', 'dir'].includes(cell.storageDriver);
  const share: Record<(typeof LIFECYCLE_PHASES)[number], number> = {
    create: 0.3 * (deep ? IMAGE_FACTOR[cell.image] ?? 1 : 1),
    launch: 0.35,
    execute: cell.workload === 'noop' ? 0.05 : 1.2,
    stop: cell.lifecycle === 'command' ? 0.001 : 0.15,
    clean: 0.15 * (deep ? IMAGE_FACTOR[cell.image] ?? 1 : 1),
  };
  const phases = Object.fromEntries(LIFECYCLE_PHASES.map((phase) => [phase, statsAround(base * share[phase] * cell.concurrency ** 0.3)]));
  const totalMedianMs = Object.values(phases).reduce((sum, stats) => sum + stats.medianMs, 0);
  const daemonless = !/docker|podman|lxd/.test(cell.runtime);
  return {
    cellId, ...cell, phases, totalMedianMs,
    batch: { n: 6, makespanMedianMs: totalMedianMs * 1.8, makespanCiLowMs: totalMedianMs * 1.7, makespanCiHighMs: totalMedianMs * 1.9, throughputPerSecond: (cell.concurrency * 1000) / (totalMedianMs * 1.8) },
    ...(daemonless && cell.concurrency === 1 ? { memory: { n: 6, peakMedianBytes: (3 + 10 * jitter(cellId)) * 2 ** 20, peakMaxBytes: (14 + 4 * jitter(cellId)) * 2 ** 20 } } : {}),
    ...(cell.concurrency === 1 && cell.workload === 'noop' ? { disk: { n: 6, medianBytes: deep ? (IMAGE_FACTOR[cell.image] ?? 1) * 30 * 2 ** 20 : 12 * 1024 } } : {}),
  };
}

const FAMILY_DRIVERS: Record<string, string[]> = {
  runc: ['copy', 'overlay', 'bind', 'btrfs-snapshot', 'xfs-reflink'],
  crun: ['copy', 'overlay', 'bind', 'btrfs-snapshot', 'xfs-reflink'],
  runsc: ['copy', 'overlay', 'bind'],
  docker: ['overlay2', 'overlay', 'btrfs', 'vfs', 'fuse-overlayfs'],
  podman: ['overlay2', 'overlay', 'btrfs', 'vfs', 'fuse-overlayfs'],
  'docker+crun': ['overlay2'],
  'docker+runsc': ['overlay2'],
  'podman+crun': ['overlay'],
  lxc: ['dir', 'overlayfs', 'btrfs'],
  lxd: ['dir', 'overlayfs', 'btrfs'],
};
const FILESYSTEMS = ['ext4', 'xfs', 'btrfs'];
const RUNTIMES = Object.keys(FAMILY_DRIVERS);

function thesisCells(): CellSummary[] {
  const cells: CellSummary[] = [];
  for (const lifecycle of ['exec', 'command'] as const) {
    for (const runtime of RUNTIMES) {
      for (const storageDriver of FAMILY_DRIVERS[runtime]!) {
        for (const filesystem of FILESYSTEMS) {
          if (storageDriver === 'btrfs-snapshot' && filesystem !== 'btrfs') continue;
          if (storageDriver === 'xfs-reflink' && filesystem !== 'xfs') continue;
          cells.push(modelCell({ runtime, storageDriver, filesystem, lifecycle }));
        }
      }
      cells.push(modelCell({ runtime, storageDriver: FAMILY_DRIVERS[runtime]![1] ?? FAMILY_DRIVERS[runtime]![0]!, filesystem: 'ext4', image: 'grader', workload: 'grade-python', lifecycle }));
    }
  }
  for (const workload of ['cpu', 'write', 'copy-up', 'grade-c']) {
    for (const runtime of ['runc', 'crun', 'docker', 'lxc']) cells.push(modelCell({ runtime, storageDriver: FAMILY_DRIVERS[runtime]![1]!, filesystem: 'ext4', image: 'grader', workload, lifecycle: 'command' }));
  }
  for (const image of ['sized-64m', 'sized-256m', 'sized-1g']) {
    for (const runtime of ['runc', 'docker', 'lxc']) {
      for (const storageDriver of FAMILY_DRIVERS[runtime]!.filter((driver) => !driver.includes('-'))) cells.push(modelCell({ runtime, storageDriver, filesystem: 'ext4', image }));
    }
  }
  for (const runtime of ['runc', 'crun', 'runsc']) {
    for (const netns of ['fresh', 'reused', 'host'] as const) {
      for (const cgroup of ['fresh', 'reused'] as const) {
        for (const concurrency of [1, 8]) {
          if (netns === 'fresh' && cgroup === 'fresh' && concurrency === 1) continue;
          cells.push(modelCell({ runtime, storageDriver: 'overlay', filesystem: 'ext4', netns, cgroup, concurrency }));
        }
      }
    }
  }
  return cells;
}

function thesisLimits(): LimitSummary[] {
  const verdicts: LimitSummary['verdict'][] = ['enforced', 'enforced', 'enforced', 'not-enforced', 'unknown', 'enforced-sandbox-killed'];
  return RUNTIMES.flatMap((runtime) =>
    FAMILY_DRIVERS[runtime]!.slice(0, 2).flatMap((storageDriver) =>
      (['memory', 'pids', 'network'] as const).map((limit) => ({
        runtime, storageDriver, filesystem: 'ext4', limit, n: 6,
        verdict: verdicts[Math.floor(jitter(`${runtime}${storageDriver}${limit}`) * verdicts.length)]!,
        evidence: 'the probe passed in 6 of 6 repetitions',
      })),
    ),
  );
}

const ISOLATION: Record<string, IsolationClass> = {
  runc: 'container', crun: 'container', runsc: 'user-space kernel', docker: 'container', 'docker+crun': 'container',
  'docker+runsc': 'user-space kernel', podman: 'container, user namespace', 'podman+crun': 'container, user namespace', lxc: 'container', lxd: 'container, user namespace',
};

/** The ranking of a summary's reference cells (grade-python on grader), fastest first per shape. */
export function rankingOf(cells: readonly CellSummary[]): Ranking {
  const shapes = (['exec', 'command'] as const).flatMap((lifecycle) => {
    const reference = cells.filter((cell) => cell.lifecycle === lifecycle && cell.workload === 'grade-python' && cell.concurrency === 1 && cell.probe === undefined);
    if (reference.length === 0) return [];
    const best = new Map<string, CellSummary>();
    for (const cell of reference) {
      const known = best.get(cell.runtime);
      if (!known || cell.totalMedianMs < known.totalMedianMs) best.set(cell.runtime, cell);
    }
    const entries: RankingEntry[] = [...best.values()]
      .sort((a, b) => a.totalMedianMs - b.totalMedianMs)
      .map((cell) => ({
        runtime: cell.runtime, storageDriver: cell.storageDriver, filesystem: cell.filesystem, lifecycle, cellId: cell.cellId,
        totalMedianMs: cell.totalMedianMs, totalCiLowMs: cell.totalMedianMs * 0.95, totalCiHighMs: cell.totalMedianMs * 1.07,
        isolationClass: ISOLATION[cell.runtime] ?? 'container', limits: { memory: 'enforced', pids: 'enforced', network: 'enforced' },
        isolationHolds: cell.runtime !== 'crun' && cell.runtime !== 'lxd', isolationProbed: cell.runtime !== 'lxd', emulated: false,
      }));
    const emulated: RankingEntry = {
      runtime: 'qemu-microvm+tcg', storageDriver: 'initramfs', filesystem: 'ext4', lifecycle, cellId: `qemu-microvm+tcg.initramfs.ext4.grader.grade-python.${lifecycle}.c1`,
      totalMedianMs: 41000, totalCiLowMs: 40000, totalCiHighMs: 42000, isolationClass: 'virtual machine, emulated', limits: {}, isolationHolds: true, isolationProbed: false, emulated: true,
    };
    return [{ lifecycle, entries, emulated: [emulated], unmeasured: [{ runtime: 'kata', reason: 'no KVM on this host' }] }];
  });
  return { reference: { workload: 'grade-python', image: 'grader', concurrency: 1 }, shapes };
}

/** A declared question answered from cells: the pairs candidate ÷ baseline agreeing on `pairBy`. */
export function answer(
  cells: readonly CellSummary[],
  spec: { id: string; title: string; hypothesis: string; metric: QuestionAnswer['metric']; expect: QuestionAnswer['expect']; factor?: number; baseline: (cell: CellSummary) => boolean; candidate: (cell: CellSummary) => boolean; pairBy: (keyof CellSummary)[] },
): QuestionAnswer {
  const key = (cell: CellSummary) => spec.pairBy.map((axis) => String(cell[axis])).join('\u0000');
  const value = (cell: CellSummary) => (spec.metric === 'total' ? cell.totalMedianMs : spec.metric === 'makespan' ? cell.batch?.makespanMedianMs ?? NaN : cell.phases[spec.metric]?.medianMs ?? NaN);
  const baselines = new Map(cells.filter(spec.baseline).map((cell) => [key(cell), cell]));
  const pairs = cells.filter(spec.candidate).flatMap((candidate) => {
    const baseline = baselines.get(key(candidate));
    return baseline ? [{ baselineCellId: baseline.cellId, candidateCellId: candidate.cellId, ratio: value(candidate) / value(baseline) }] : [];
  });
  const ratio = pairs.length === 0 ? NaN : Math.exp(pairs.reduce((sum, pair) => sum + Math.log(pair.ratio), 0) / pairs.length);
  const supported = spec.expect === 'faster' ? ratio * 1.08 < (spec.factor ?? 1) : ratio * 0.92 > (spec.factor ?? 1);
  return {
    id: spec.id, title: spec.title, hypothesis: spec.hypothesis, metric: spec.metric, expect: spec.expect,
    ...(spec.factor !== undefined ? { factor: spec.factor } : {}),
    pairs, ratio, ciLow: ratio * 0.92, ciHigh: ratio * 1.08, pValue: 0.01, pAdjusted: 0.04,
    verdict: pairs.length === 0 ? 'inconclusive' : supported ? 'supported' : 'not supported',
  };
}

const plain = (cell: CellSummary) => cell.netns === 'fresh' && cell.cgroup === 'fresh' && cell.concurrency === 1;

/** The chapter's eight questions, asked of the given cells. */
export function questionsOf(cells: readonly CellSummary[]): QuestionAnswer[] {
  const pairAll: (keyof CellSummary)[] = ['storageDriver', 'filesystem', 'image', 'workload', 'lifecycle', 'concurrency', 'netns', 'cgroup'];
  const reference = (runtime: string) => (cell: CellSummary) => cell.runtime === runtime && cell.workload === 'grade-python' && cell.filesystem === 'ext4' && plain(cell);
  return [
    answer(cells, { id: 'crun-vs-runc', title: 'Is crun faster than runc?', hypothesis: 'crun starts and runs a container faster than runc.', metric: 'total', expect: 'faster', baseline: (c) => c.runtime === 'runc' && c.workload === 'noop' && c.image === 'tiny' && plain(c), candidate: (c) => c.runtime === 'crun' && c.workload === 'noop' && c.image === 'tiny' && plain(c), pairBy: pairAll }),
    answer(cells, { id: 'docker-vs-crun', title: 'What does Docker cost against crun?', hypothesis: 'Docker takes longer end to end than crun.', metric: 'total', expect: 'slower', baseline: reference('crun'), candidate: reference('docker'), pairBy: ['filesystem', 'lifecycle'] }),
    answer(cells, { id: 'docker-crun-vs-crun', title: 'What does Docker itself add?', hypothesis: 'Docker running crun is slower than crun.', metric: 'total', expect: 'slower', baseline: reference('crun'), candidate: reference('docker+crun'), pairBy: ['filesystem', 'lifecycle'] }),
    answer(cells, { id: 'user-space-kernel', title: 'What does a user-space kernel cost?', hypothesis: 'gVisor grades more slowly than runc.', metric: 'total', expect: 'slower', baseline: reference('runc'), candidate: reference('runsc'), pairBy: ['filesystem', 'lifecycle'] }),
    answer(cells, { id: 'lxc-vs-crun', title: 'Is LXC faster than crun?', hypothesis: 'LXC grades faster than crun.', metric: 'total', expect: 'faster', baseline: reference('crun'), candidate: reference('lxc'), pairBy: ['filesystem', 'lifecycle'] }),
    answer(cells, { id: 'cow-vs-copy-at-1g', title: 'Does copy-on-write beat a deep copy as images grow?', hypothesis: 'At 1 GiB, an overlay root is made faster than a deep copy.', metric: 'create', expect: 'faster', baseline: (c) => c.storageDriver === 'copy' && c.image === 'sized-1g', candidate: (c) => c.storageDriver === 'overlay' && c.image === 'sized-1g', pairBy: ['runtime', 'filesystem', 'lifecycle'] }),
    answer(cells, { id: 'sock-bind-vs-overlay', title: 'Is bind-mounting twice as fast as a union filesystem?', hypothesis: 'A bind root is created at least twice as fast as an overlay root.', metric: 'create', expect: 'faster', factor: 0.5, baseline: (c) => c.storageDriver === 'overlay' && c.image === 'tiny' && plain(c), candidate: (c) => c.storageDriver === 'bind' && c.image === 'tiny' && plain(c), pairBy: ['runtime', 'filesystem', 'lifecycle'] }),
    answer(cells, { id: 'sock-netns-reused', title: 'Does a reused network namespace pay?', hypothesis: 'Reusing a network namespace makes launch faster.', metric: 'launch', expect: 'faster', baseline: (c) => c.netns === 'fresh' && c.cgroup === 'fresh' && c.storageDriver === 'overlay' && c.filesystem === 'ext4' && c.image === 'tiny', candidate: (c) => c.netns === 'reused' && c.cgroup === 'fresh', pairBy: ['runtime', 'concurrency', 'lifecycle'] }),
  ];
}

/** A sweep of rates for a runtime whose mean service time is `serviceMs`, two slots. */
function loadSeries(runtime: string, serviceMs: number, sloP95Ms: number): LoadSeriesSummary {
  const capacity = 2000 / serviceMs;
  const rates: LoadRateSummary[] = [0.1, 0.375, 0.65, 0.925, 1.2].map((share) => {
    const ratePerSecond = Number((capacity * share).toPrecision(3));
    const rho = share;
    const p95Ms = rho < 1 ? serviceMs * (1.3 + 2 * rho / (1 - rho)) : null;
    const sustainable = p95Ms !== null && p95Ms <= sloP95Ms;
    const quantiles = { p50Ms: p95Ms === null ? null : p95Ms * 0.6, p95Ms, p99Ms: p95Ms === null ? null : p95Ms * 1.3 };
    return {
      ratePerSecond, repeats: 1, slots: 2, n: 100, ok: 100, errored: 0, unfinished: 0, arrivalRatePerSecond: ratePerSecond,
      throughputPerSecond: Math.min(ratePerSecond, capacity), latency: quantiles, waiting: quantiles, meanWaitingMs: null, meanServiceMs: serviceMs, serviceCv: 0.3,
      utilisation: rho, predictedMeanWaitingMs: null, littlesLaw: { meanInSystem: 1, lambdaTimesW: 1, relativeError: 0 }, sustainable,
    };
  });
  const sustained = rates.filter((rate) => rate.sustainable).map((rate) => rate.ratePerSecond);
  const max = sustained.length > 0 ? Math.max(...sustained) : null;
  return { runtime, configLabel: '', sloP95Ms, rates, maxSustainableRatePerSecond: max, maxSustainableRateCi: [max ?? 0, max ?? 0] };
}

/** The load experiment of chapter5.yaml: five runtimes, five rates each, the SLO and the exam. */
export function loadOf(): LoadSummary {
  const sloP95Ms = 5000;
  const series = [['runc', 900], ['crun', 800], ['runsc', 1500], ['docker', 1300], ['podman', 1400]].map(([runtime, ms]) => loadSeries(String(runtime), Number(ms), sloP95Ms));
  const exam = { students: 300, submissionsPerStudent: 5, windowMinutes: 15 };
  return {
    sloP95Ms, exam, examRatePerSecond: (exam.students * exam.submissionsPerStudent) / (exam.windowMinutes * 60),
    calibration: series.map((s) => ({ runtime: s.runtime, configLabel: '', n: 3, meanServiceMs: 900 })),
    series,
    hostsForExam: series.map((s) => ({ runtime: s.runtime, configLabel: '', hosts: 2 })),
  };
}

/** The wide fixture with its questions answered, its ranking and a load experiment. */
export function wideWithAnswers(): { summary: Summary; manifest: Manifest } {
  const { summary, manifest } = loadSummaryPair('wide');
  return { summary: { ...summary, questions: questionsOf(summary.cells), ranking: rankingOf(summary.cells), load: loadOf() }, manifest };
}

/** A summary as large as chapter5.yaml's, answered: the size every figure must fit the page at. */
export function thesisSized(): { summary: Summary; manifest: Manifest } {
  const { summary, manifest } = loadSummaryPair('wide');
  const cells = thesisCells();
  const daemons = cells
    .filter((cell) => /docker|podman|lxd/.test(cell.runtime) && cell.lifecycle === 'exec' && cell.workload === 'noop' && cell.image === 'tiny')
    .map((cell) => ({ groupId: `${cell.runtime}.${cell.storageDriver}.${cell.filesystem}`, runtime: cell.runtime, storageDriver: cell.storageDriver, filesystem: cell.filesystem, n: 6, rssMedianBytes: (40 + 100 * jitter(cell.cellId)) * 2 ** 20 }));
  const images = Object.fromEntries(Object.keys(IMAGE_FACTOR).map((image, index) => [image, { tarballSha256: String(index).repeat(64), tarballBytes: (IMAGE_FACTOR[image]! * 30 + 1) * 2 ** 20 }]));
  return {
    summary: {
      ...summary, matrixName: 'chapter5', cells, daemons, limits: thesisLimits(),
      questions: questionsOf(cells), ranking: rankingOf(cells), load: loadOf(),
    },
    manifest: { ...manifest, images },
  };
}
