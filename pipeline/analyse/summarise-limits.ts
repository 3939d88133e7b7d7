import {
  ISOLATION_LIMITS,
  LIFECYCLE_PHASES,
  PROBE_WORKLOADS,
  type Cell,
  type IsolationLimit,
  type LimitSummary,
  type LimitVerdict,
  type Manifest,
  type Sample,
} from '../types.ts';

const LIMIT_OF_WORKLOAD = new Map<string, IsolationLimit>(ISOLATION_LIMITS.map((limit) => [PROBE_WORKLOADS[limit], limit]));

/** The limit a workload probes, or undefined for a workload that is not an isolation probe. */
export function probedLimit(workload: string): IsolationLimit | undefined {
  return LIMIT_OF_WORKLOAD.get(workload);
}

/** Ties between verdicts go to the first of these: a limit that failed once is not called enforced. */
const CAUTION: readonly LimitVerdict[] = ['not-enforced', 'unknown', 'enforced-sandbox-killed', 'enforced', 'not-run'];

/**
 * The fact a limit probe records when the limit ended the whole sandbox (gVisor) rather than
 * the probe's process: pipeline/run/workloads/sandbox-killed.ts SANDBOX_KILLED_FACT.
 */
const SANDBOX_KILLED_FACT = 'sandboxKilled';

/** The probe's own messages (pipeline/run/workloads/limit-*.ts) start with these. */
const NOT_ENFORCED_PREFIX = 'not enforced:';
const COULD_NOT_TELL_PREFIX = 'could not tell:';

/** One measured repetition (container) of a probe: what it said, and in which words. */
interface ProbeOutcome {
  verdict: LimitVerdict;
  message: string;
}

/**
 * The verdict of each isolation probe per runtime · storage driver · filesystem and limit.
 * Each measured repetition (each container of it, at concurrency > 1) gives one verdict from
 * its execute sample: ok → enforced, or enforced-sandbox-killed when its facts say the limit
 * ended the whole sandbox (gVisor); an error starting "not enforced:" → not-enforced;
 * "could not tell:" → unknown; any other error, or no execute at all because an earlier
 * phase failed → not-run. The verdict is the one most repetitions gave (pooled over the
 * probe cells of the configuration: images, concurrency levels); a tie goes to the more
 * cautious. Warm-ups do not count.
 *
 * A planned probe without a measured repetition is `not-run` with the reason: the plan's
 * skip reason, or the first error the cell recorded (`firstErrors`, by cell id). A probe
 * impossible by design (`skipByDesign`) is left out.
 *
 * Order: configurations as the manifest first lists a probe of theirs, limits in
 * ISOLATION_LIMITS order.
 */
export function summariseLimits(manifest: Manifest, samples: readonly Sample[], firstErrors: ReadonlyMap<string, string>): LimitSummary[] {
  // A probe no host could run (a driver of another runtime) says nothing about isolation.
  const probeCells = manifest.cells.filter((cell) => probedLimit(cell.workload) !== undefined && !cell.skipByDesign);
  if (probeCells.length === 0) return [];
  const outcomes = probeOutcomes(new Set(probeCells.map((cell) => cell.id)), samples);

  const keyOf = (cell: Pick<Cell, 'runtime' | 'storageDriver' | 'filesystem'>) => JSON.stringify([cell.runtime, cell.storageDriver, cell.filesystem]);
  const configurations = new Map<string, Cell>();
  for (const cell of probeCells) if (!configurations.has(keyOf(cell))) configurations.set(keyOf(cell), cell);

  const limits: LimitSummary[] = [];
  for (const [key, first] of configurations)
    for (const limit of ISOLATION_LIMITS) {
      const cells = probeCells.filter((cell) => keyOf(cell) === key && probedLimit(cell.workload) === limit);
      if (cells.length === 0) continue;
      const pooled = cells.flatMap((cell) => outcomes.get(cell.id) ?? []);
      const base = { runtime: first.runtime, storageDriver: first.storageDriver, filesystem: first.filesystem, limit };
      if (pooled.length === 0) {
        limits.push({ ...base, verdict: 'not-run', evidence: whyNotRun(cells, firstErrors), n: 0 });
        continue;
      }
      limits.push({ ...base, ...judge(pooled), n: pooled.length });
    }
  return limits;
}

/** Majority verdict, cautious on ties, and its evidence. */
function judge(outcomes: readonly ProbeOutcome[]): { verdict: LimitVerdict; evidence: string } {
  const counts = new Map<LimitVerdict, number>();
  for (const { verdict } of outcomes) counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
  let verdict: LimitVerdict = CAUTION[0]!;
  for (const candidate of CAUTION) if ((counts.get(candidate) ?? 0) > (counts.get(verdict) ?? 0)) verdict = candidate;
  const k = counts.get(verdict) ?? 0;
  const n = outcomes.length;
  if (verdict === 'enforced') return { verdict, evidence: `the probe passed in ${k} of ${n} ${n === 1 ? 'repetition' : 'repetitions'}` };
  if (verdict === 'enforced-sandbox-killed') {
    return { verdict, evidence: `the limit ended the whole sandbox (runsc exec: "containerManager.WaitPID failed: EOF") in ${k} of ${n} ${n === 1 ? 'repetition' : 'repetitions'}` };
  }
  // The first message of that verdict, in file order: the first time it happened.
  const message = outcomes.find((outcome) => outcome.verdict === verdict)!.message;
  return { verdict, evidence: `${message} (${k} of ${n} ${n === 1 ? 'repetition' : 'repetitions'})` };
}

function whyNotRun(cells: readonly Cell[], firstErrors: ReadonlyMap<string, string>): string {
  const skipped = cells.find((cell) => !cell.feasible);
  const error = cells.map((cell) => firstErrors.get(cell.id)).find((found) => found !== undefined);
  if (error !== undefined) return error;
  if (skipped && cells.every((cell) => !cell.feasible)) return `skipped: ${skipped.skipReason ?? 'no reason recorded'}`;
  return 'no measured repetition was recorded';
}

/**
 * Per probe cell, the outcome of each measured repetition and slot, in the order the
 * repetitions were first written. A repetition is known from any of its life-cycle samples.
 */
function probeOutcomes(cellIds: ReadonlySet<string>, samples: readonly Sample[]): Map<string, ProbeOutcome[]> {
  const reps = new Map<string, Map<string, { execute?: Sample; firstFailure?: Sample }>>();
  for (const sample of samples) {
    if (sample.warmup || !cellIds.has(sample.cellId) || !(LIFECYCLE_PHASES as readonly string[]).includes(sample.phase)) continue;
    let ofCell = reps.get(sample.cellId);
    if (!ofCell) reps.set(sample.cellId, (ofCell = new Map()));
    const key = `${sample.rep}/${sample.slot ?? 0}`;
    let rep = ofCell.get(key);
    if (!rep) ofCell.set(key, (rep = {}));
    if (sample.phase === 'execute' && rep.execute === undefined) rep.execute = sample;
    if (!sample.ok && rep.firstFailure === undefined) rep.firstFailure = sample;
  }
  const outcomes = new Map<string, ProbeOutcome[]>();
  for (const [cellId, ofCell] of reps) outcomes.set(cellId, [...ofCell.values()].map(outcomeOf));
  return outcomes;
}

function outcomeOf(rep: { execute?: Sample; firstFailure?: Sample }): ProbeOutcome {
  const { execute, firstFailure } = rep;
  if (execute) {
    if (execute.ok) {
      const facts = execute.kind === 'phase' ? execute.facts : undefined;
      return facts?.[SANDBOX_KILLED_FACT] === true
        ? { verdict: 'enforced-sandbox-killed', message: 'the limit ended the whole sandbox' }
        : { verdict: 'enforced', message: 'the limit held' };
    }
    const error = execute.error ?? 'execute failed without an error message';
    if (error.startsWith(NOT_ENFORCED_PREFIX)) return { verdict: 'not-enforced', message: error };
    if (error.startsWith(COULD_NOT_TELL_PREFIX)) return { verdict: 'unknown', message: error };
    return { verdict: 'not-run', message: `execute failed: ${error}` };
  }
  if (firstFailure) return { verdict: 'not-run', message: `${firstFailure.phase} failed: ${firstFailure.error ?? 'no error message'}` };
  return { verdict: 'not-run', message: 'the repetition stopped before execute' };
}
