import { CONFIDENCE_LEVEL, percentileInterval, ratioOfMediansCi } from '../statistics/bootstrap.ts';
import {
  ISOLATION_LIMITS,
  LIFECYCLES,
  splitRuntime,
  type CellSummary,
  type Headline,
  type IsolationClass,
  type LimitSummary,
  type Manifest,
  type Ranking,
  type RankingEntry,
  type Summary,
} from '../types.ts';
import type { DurationSeries } from './compare-series.ts';
import { causeOf } from './group-skips.ts';

/** The runtimes whose containers run under a kernel of their own, or one in user space. */
const SANDBOX_CLASS: Record<string, IsolationClass> = {
  runsc: 'user-space kernel',
  kata: 'virtual machine',
  firecracker: 'virtual machine',
  'qemu-microvm': 'virtual machine',
};

/** The workload whose facts (seccomp mode, no_new_privs, uid map) are read from inside. */
export const SECURITY_PROBE_WORKLOAD = 'probe-security';

export interface RankInput {
  manifest: Manifest;
  cells: readonly CellSummary[];
  limits: readonly LimitSummary[];
  failed: Summary['failed'];
  /** The series of the life cycle end to end (per complete repetition). */
  totalSeriesOf: (cellId: string) => DurationSeries | undefined;
}

/**
 * Every runtime measured on the reference workload, per shape, each with its fastest driver
 * and filesystem (by the median of its per-repetition totals), fastest first; a VM under
 * emulation apart; every runtime of the matrix that has no such cell named with why.
 */
export function rankCandidates(input: RankInput): Ranking | undefined {
  const reference = input.manifest.matrix.referenceWorkload;
  if (reference === undefined) return undefined;
  const onReference = (cell: { workload: string; image: string; concurrency: number; netns: string; cgroup: string }) =>
    cell.workload === reference.workload && cell.image === reference.image && cell.concurrency === reference.concurrency && cell.netns === 'fresh' && cell.cgroup === 'fresh';
  const runtimes = [...new Set(input.manifest.cells.map((cell) => cell.runtime))];
  const shapes = LIFECYCLES.flatMap((lifecycle) => {
    const planned = input.manifest.cells.filter((cell) => cell.lifecycle === lifecycle && onReference(cell));
    if (planned.length === 0) return [];
    const entries: RankingEntry[] = [];
    const unmeasured: { runtime: string; reason: string }[] = [];
    for (const runtime of runtimes) {
      const best = input.cells
        .filter((cell) => cell.runtime === runtime && cell.lifecycle === lifecycle && cell.probe === undefined && onReference(cell))
        .map((cell) => ({ cell, series: input.totalSeriesOf(cell.cellId) }))
        .filter((candidate): candidate is { cell: CellSummary; series: DurationSeries } => candidate.series !== undefined)
        .sort((a, b) => a.series.medianMs - b.series.medianMs || a.cell.cellId.localeCompare(b.cell.cellId))[0];
      if (best) entries.push(entryOf(best.cell, best.series, input));
      else unmeasured.push({ runtime, reason: whyUnmeasured(runtime, planned, input.failed, input.manifest.cells) });
    }
    const byTotal = (a: RankingEntry, b: RankingEntry) => a.totalMedianMs - b.totalMedianMs || a.cellId.localeCompare(b.cellId);
    return [{ lifecycle, entries: entries.filter((e) => !e.emulated).sort(byTotal), emulated: entries.filter((e) => e.emulated).sort(byTotal), unmeasured }];
  });
  return { reference, shapes };
}

function entryOf(cell: CellSummary, series: DurationSeries, input: RankInput): RankingEntry {
  const [totalCiLowMs, totalCiHighMs] = percentileInterval(series.bootstrapMediansMs, CONFIDENCE_LEVEL);
  const facts = input.cells.find((other) => other.runtime === cell.runtime && other.workload === SECURITY_PROBE_WORKLOAD && other.facts !== undefined)?.facts;
  const limits = limitsOf(cell, input.limits);
  const isolationClass = classOf(cell.runtime, facts);
  return {
    runtime: cell.runtime,
    storageDriver: cell.storageDriver,
    filesystem: cell.filesystem,
    lifecycle: cell.lifecycle,
    cellId: cell.cellId,
    totalMedianMs: series.medianMs,
    totalCiLowMs,
    totalCiHighMs,
    isolationClass,
    limits,
    ...(facts !== undefined ? { facts } : {}),
    isolationHolds: isolationHolds(isolationClass, limits, facts),
    isolationProbed: ISOLATION_LIMITS.every((limit) => limits[limit] !== undefined && limits[limit] !== 'not-run'),
    emulated: isolationClass === 'virtual machine, emulated',
  };
}

/** The probes' verdicts on this runtime: its own driver and filesystem first, else any of its configurations. */
function limitsOf(cell: CellSummary, limits: readonly LimitSummary[]): RankingEntry['limits'] {
  const verdicts: RankingEntry['limits'] = {};
  for (const limit of ISOLATION_LIMITS) {
    const ofRuntime = limits.filter((summary) => summary.runtime === cell.runtime && summary.limit === limit);
    const own = ofRuntime.find((summary) => summary.storageDriver === cell.storageDriver && summary.filesystem === cell.filesystem) ?? ofRuntime[0];
    if (own) verdicts[limit] = own.verdict;
  }
  return verdicts;
}

export function classOf(runtime: string, facts: RankingEntry['facts']): IsolationClass {
  const { engine, oci } = splitRuntime(runtime);
  const sandbox = SANDBOX_CLASS[oci ?? ''] ?? SANDBOX_CLASS[engine];
  if (sandbox === 'virtual machine' && oci === 'tcg') return 'virtual machine, emulated';
  if (sandbox !== undefined) return sandbox;
  return facts?.userNamespace === true ? 'container, user namespace' : 'container';
}

/**
 * Isolation holds when every limit was probed and held, and, for a container on the host's
 * kernel, its process was seen inside under a seccomp filter with no_new_privs. A sandbox's
 * boundary is its own kernel (gVisor's Sentry, a guest), which a process inside cannot see.
 */
function isolationHolds(isolationClass: IsolationClass, limits: RankingEntry['limits'], facts: RankingEntry['facts']): boolean {
  const held = ISOLATION_LIMITS.every((limit) => limits[limit] === 'enforced' || limits[limit] === 'enforced-sandbox-killed');
  if (!held) return false;
  if (!isolationClass.startsWith('container')) return true;
  return facts?.seccomp === 2 && facts.noNewPrivs === 1;
}

function whyUnmeasured(runtime: string, planned: Manifest['cells'], failed: Summary['failed'], all: Manifest['cells']): string {
  const cells = planned.filter((cell) => cell.runtime === runtime);
  if (cells.length === 0) {
    const measuredElsewhere = [...new Set(all.filter((cell) => cell.runtime === runtime && cell.feasible).map((cell) => cell.workload))];
    if (measuredElsewhere.length > 0) return `not planned on the reference workload (measured on ${measuredElsewhere.join(', ')} only)`;
    const elsewhere = all.filter((cell) => cell.runtime === runtime && !cell.feasible);
    return elsewhere.length > 0 ? `not planned on the reference workload, and skipped elsewhere: ${commonCause(elsewhere)}` : 'not planned on the reference workload';
  }
  const failure = failed.find((entry) => cells.some((cell) => cell.id === entry.cellId));
  if (failure) return `failed: ${failure.error}`;
  const skipped = cells.filter((cell) => !cell.feasible);
  if (skipped.length > 0) return `skipped: ${commonCause(skipped)}`;
  return 'no successful repetition';
}

/**
 * Why a set of skipped cells could not run, in a few words: the unmet requirement every one
 * of them shares (a shape the runtime has not got, its binary missing), else the host cause
 * of the first (no KVM, no zfs module; group-skips.ts).
 */
function commonCause(cells: Manifest['cells']): string {
  const parts = cells.map((cell) => (cell.skipReason ?? 'no reason recorded').split('; '));
  const shared = parts[0]!.find((part) => parts.every((other) => other.includes(part)));
  return shared ?? causeOf(cells[0]!.skipReason ?? 'no reason recorded');
}

/**
 * Chapter 5's first table: on the shape INGInious uses (a container per submission whose
 * process is the grader: `command`) when it was ranked, the fastest configuration whose
 * isolation holds, the fastest of each class, and Docker against that recommendation.
 */
export function buildHeadline(ranking: Ranking | undefined, totalSeriesOf: (cellId: string) => DurationSeries | undefined): Headline | undefined {
  if (ranking === undefined || ranking.shapes.length === 0) return undefined;
  const all = ranking.shapes.flatMap((shape) => shape.entries);
  if (all.length === 0) return undefined;
  const byTotal = [...all].sort((a, b) => a.totalMedianMs - b.totalMedianMs);
  // A matrix that probed nothing (a smoke run) still names its fastest, saying it is only that.
  const probedNothing = all.every((entry) => !entry.isolationProbed);
  const recommended = (probedNothing ? byTotal[0] : byTotal.find((entry) => entry.isolationHolds)) ?? null;
  const basis = probedNothing ? ('isolation not probed' as const) : ('isolation held' as const);
  const lifecycle = recommended?.lifecycle ?? ranking.shapes[0]!.lifecycle;
  // Per class, the fastest whose isolation held; a class where none held shows its fastest.
  const fastestPerClass: RankingEntry[] = [];
  for (const entry of [...byTotal].sort((a, b) => Number(b.isolationHolds) - Number(a.isolationHolds) || a.totalMedianMs - b.totalMedianMs)) {
    if (!fastestPerClass.some((chosen) => chosen.isolationClass === entry.isolationClass)) fastestPerClass.push(entry);
  }
  fastestPerClass.sort((a, b) => a.totalMedianMs - b.totalMedianMs);
  const docker = ranking.shapes.find((shape) => shape.lifecycle === 'command')?.entries.find((entry) => entry.runtime === 'docker');
  let dockerVsBest: Headline['dockerVsBest'] = null;
  const dockerSeries = docker ? totalSeriesOf(docker.cellId) : undefined;
  const bestSeries = recommended ? totalSeriesOf(recommended.cellId) : undefined;
  if (docker && recommended && dockerSeries && bestSeries && docker.cellId !== recommended.cellId) {
    const [ciLow, ciHigh] = ratioOfMediansCi(bestSeries.bootstrapMediansMs, dockerSeries.bootstrapMediansMs, CONFIDENCE_LEVEL);
    dockerVsBest = { docker, best: recommended, ratio: dockerSeries.medianMs / bestSeries.medianMs, ciLow, ciHigh };
  }
  return { lifecycle, recommended, basis, fastestPerClass, dockerVsBest };
}
