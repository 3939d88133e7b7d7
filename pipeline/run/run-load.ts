import path from 'node:path';
import { provisionVolume, releaseVolume } from '../../provision/volume.ts';
import { defaultRatesPerSecond } from '../analyse/summarise-load.ts';
import { findSkipReason } from '../plan/find-skip-reason.ts';
import type { Progress } from '../progress/progress.ts';
import { poissonArrivalTimesMs } from '../statistics/poisson-arrivals.ts';
import type { Cell, HostFacts, LoadExperiment, LoadSample, Matrix, Sample } from '../types.ts';
import type { Executor } from './executor/executor.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { loadSeriesCell, loadStepKey, loadStepSeed, scheduleLoadSteps } from './load/load-series.ts';
import { monotonicNowMs, sleepUntilMonotonic } from './load/monotonic-clock.ts';
import { runOpenLoop, type OpenLoopRecord } from './load/open-loop.ts';
import { serveSubmission, type SubmissionService } from './load/serve-submission.ts';
import { setupSample } from './run-group.ts';
import { adapterOf, type RuntimeGroup } from './runtimes/index.ts';
import type { SampleSink } from './sample-sink.ts';
import { WORKLOADS } from './workloads/index.ts';

export interface LoadRun {
  matrix: Matrix & { load: LoadExperiment };
  host: HostFacts;
  workDir: string;
  imageTarballs: Record<string, string>;
  executor: Executor;
  sink: SampleSink;
  progress: Progress;
  signal: AbortSignal;
  /** Steps already whole in the results folder (loadStepKey), and the samples kept: a resumed run skips those steps. */
  doneSteps: ReadonlySet<string>;
  previousSamples: readonly Sample[];
}

/** The series of the load experiment as cells, each feasible or skipped with the plan's reason. */
export function loadSeriesCells(load: LoadExperiment, host: HostFacts): Cell[] {
  const slots = load.slots ?? host.cores;
  return load.runtimes.map((target) => {
    const cell = loadSeriesCell(target, load, slots);
    const skipReason = findSkipReason(cell, host);
    return skipReason === undefined ? { ...cell, feasible: true } : { ...cell, feasible: false, skipReason };
  });
}

/** The mean service time of the graded calibration submissions of a series, or undefined. */
function calibratedServiceMs(samples: readonly Sample[], cellId: string): number | undefined {
  const served = samples.filter((sample): sample is LoadSample => sample.kind === 'load' && sample.cellId === cellId && sample.rateStepIndex === -1 && !sample.warmup && sample.ok && sample.doneAtMs !== null && sample.dispatchedAtMs !== null);
  if (served.length === 0) return undefined;
  return served.reduce((sum, sample) => sum + sample.doneAtMs! - sample.dispatchedAtMs!, 0) / served.length;
}

function loadSampleOf(cell: Cell, base: { ratePerSecond: number; rateStepIndex: number; repeat: number; slots: number; warmupMs: number; measuredMs: number; stepSubmissions: number },
  record: OpenLoopRecord<SubmissionService>): LoadSample {
  const service = record.state === 'ok' ? record.result : undefined;
  const state = record.state === 'ok' ? (service?.ok === true ? 'ok' : 'errored') : record.state;
  const error = service?.error ?? (record.state === 'errored' ? String(record.error) : record.state === 'abandoned' ? 'still in service at the drain bound' : record.state === 'unserved' ? 'still queued at the drain bound' : undefined);
  return {
    schemaVersion: 2, cellId: cell.id, groupId: cell.groupId, runtime: cell.runtime, storageDriver: cell.storageDriver, filesystem: cell.filesystem,
    image: cell.image, workload: cell.workload, lifecycle: cell.lifecycle, netns: cell.netns, cgroup: cell.cgroup, concurrency: base.slots,
    block: base.repeat, rep: record.index, warmup: record.warmup, startedAt: new Date().toISOString(),
    kind: 'load', phase: 'load', durationMs: record.doneAtMs !== null ? record.doneAtMs - record.intendedAtMs : 0,
    ok: state === 'ok', ...(error !== undefined && state !== 'ok' ? { error } : {}), state, ...base,
    intendedAtMs: record.intendedAtMs, dispatchedAtMs: record.dispatchedAtMs, doneAtMs: record.doneAtMs,
    ...(service !== undefined ? { phasesMs: service.phasesMs, steps: service.steps } : {}),
  };
}

const DEFAULT_PHASE_TIMEOUT_MS = 60_000;

/**
 * One rate step: Poisson arrivals on their intended times (open loop), served `slots` at a
 * time by serveSubmission, ended at warm-up + duration + the drain bound whatever is left;
 * every service still running then is cancelled and awaited (each phase has its deadline),
 * so the group is left empty. Returns the step's samples, written by the caller.
 */
async function runRateStep(run: LoadRun, cell: Cell, group: { runtime: RuntimeGroup; mountpoint: string }, step: { ratePerSecond: number; rateStepIndex: number; repeat: number }): Promise<LoadSample[]> {
  const { load } = run.matrix;
  const slots = cell.concurrency;
  const workload = WORKLOADS[load.workload];
  if (workload === undefined) throw new Error(`no workload ${load.workload}`);
  const calibration = step.rateStepIndex < 0;
  const warmupMs = calibration ? 0 : load.warmupS * 1000;
  const measuredMs = calibration ? 1 : load.durationS * 1000;
  const intendedMs = calibration ? Array.from({ length: load.calibrationSubmissions }, () => 0)
    : poissonArrivalTimesMs({ ratePerSecond: step.ratePerSecond, durationMs: warmupMs + measuredMs, seed: loadStepSeed(run.matrix.seed, cell.id, step.ratePerSecond, step.repeat) });
  const cancelled = new Set<number>();
  const services = new Set<Promise<SubmissionService>>();
  const stepName = calibration ? 'calibration' : `${step.ratePerSecond}/s`;
  const label = `load ${cell.runtime} ${stepName} (repeat ${step.repeat})`;
  const result = await runOpenLoop<SubmissionService>({
    intendedMs, slots: calibration ? 1 : slots, warmupMs, measuredMs,
    // The calibration serves one at a time with no bound but the phases' own deadlines.
    maxDrainMs: calibration ? load.calibrationSubmissions * 5 * (run.matrix.phaseTimeoutMs ?? DEFAULT_PHASE_TIMEOUT_MS) : load.maxDrainS * 1000,
    clock: monotonicNowMs, sleepUntil: sleepUntilMonotonic,
    serve: (submission) => {
      const id = `${cell.image}-load-${calibration ? 'c' : step.rateStepIndex}-x${step.repeat}-n${submission.index}`;
      const service = serveSubmission({
        runtime: group.runtime, executor: run.executor, workload, phaseTimeoutMs: run.matrix.phaseTimeoutMs,
        spec: { id, image: cell.image, dir: path.join(group.mountpoint, 'containers', id), workloadArgv: workload.argv, lifecycle: cell.lifecycle, netns: cell.netns, cgroup: cell.cgroup },
        cancelled: () => cancelled.has(submission.index) || run.signal.aborted,
      });
      services.add(service);
      return service;
    },
    cancel: (submission) => {
      cancelled.add(submission.index);
    },
    cancelGraceMs: 0,
    onProgress: (progress) => run.progress.loadStatus?.(`${label}: ${progress.arrived}/${progress.total} arrived, queue ${progress.queued}, ` +
      `in service ${progress.inService}, p95 ${progress.p95LatencyMs === null ? '–' : `${Math.round(progress.p95LatencyMs)} ms`}`),
  });
  // Nothing may outlive the step: an abandoned service stops after its current phase and cleans up.
  await Promise.allSettled([...services]);
  const base = { ratePerSecond: calibration ? 0 : step.ratePerSecond, rateStepIndex: step.rateStepIndex, repeat: step.repeat, slots: calibration ? 1 : slots, warmupMs, measuredMs, stepSubmissions: result.records.length };
  const samples = result.records.map((record) => loadSampleOf(cell, base, record));
  // The first calibration submission meets a cold page cache and runtime: a warm-up, left out of E[S].
  if (calibration && samples.length > 1) samples[0]!.warmup = true;
  const graded = samples.filter((sample) => sample.ok).length;
  run.progress.note(`${label}: ${samples.length} submissions, ${graded} graded${result.drained ? '' : `, ${samples.length - graded} not done by the drain bound or failed`}`);
  const firstError = samples.find((sample) => !sample.ok && sample.error !== undefined && sample.state === 'errored');
  if (firstError !== undefined) run.progress.note(`${label}: first error: ${firstError.error}`);
  return samples;
}

/**
 * The open-loop load experiment, after the cells: per repeat, each feasible series on a fresh
 * volume with its runtime opened and the image imported (setup samples, as for a cell group),
 * its zero-load calibration in the first repeat, then its rate steps in a seeded order. A
 * step's samples reach the sink once the step is over (never inside a clock); a resumed run
 * skips the steps already whole. A series whose runtime does not start is recorded and skipped.
 */
export async function runLoadExperiment(run: LoadRun): Promise<void> {
  const { load } = run.matrix;
  const cells = loadSeriesCells(load, run.host);
  for (const cell of cells.filter((candidate) => !candidate.feasible)) run.progress.note(`load ${cell.id}: skipped: ${cell.skipReason}`);
  const feasible = new Map(cells.filter((cell) => cell.feasible).map((cell) => [cell.id, cell]));
  const rateCount = load.ratesPerSecond === 'auto' ? load.autoRateCount : load.ratesPerSecond.length;
  const known: Sample[] = [...run.previousSamples];
  for (const unit of scheduleLoadSteps([...feasible.keys()], rateCount, load.repeats, run.matrix.seed)) {
    if (run.signal.aborted) return;
    const cell = feasible.get(unit.cellId)!;
    const calibrate = unit.repeat === 0 && !run.doneSteps.has(loadStepKey(cell.id, -1, 0));
    const todo = unit.rateStepIndexes.filter((index) => !run.doneSteps.has(loadStepKey(cell.id, index, unit.repeat)));
    if (!calibrate && todo.length === 0) continue;
    run.progress.unitStart(`load ${cell.id} repeat ${unit.repeat}`);
    const startMs = performance.now();
    let volume: Awaited<ReturnType<typeof provisionVolume>>;
    try {
      volume = await provisionVolume(run.workDir, cell.groupId, cell.filesystem, run.matrix.volumeSizeMiB);
    } catch (error) {
      run.sink.batch([setupSample(cell, unit.repeat, 'provision-volume', '-', performance.now() - startMs, (error as Error).message)], []);
      continue;
    }
    try {
      const adapter = adapterOf(cell.runtime);
      if (adapter === undefined) throw new Error(`no runtime adapter for ${cell.runtime}`);
      const openedMs = performance.now();
      const runtime = await adapter.openGroup({
        groupId: cell.groupId, workDir: run.workDir, mountpoint: volume.mountpoint, poolName: volume.poolName, host: run.host,
        runtime: cell.runtime, storageDriver: cell.storageDriver, limits: DEFAULT_LIMITS,
      }).catch((error: Error) => {
        run.sink.batch([setupSample(cell, unit.repeat, 'start-runtime', '-', performance.now() - openedMs, error.message)], []);
        return undefined;
      });
      if (runtime === undefined) continue;
      try {
        const tarball = run.imageTarballs[cell.image];
        if (tarball === undefined) throw new Error(`no built image ${cell.image}`);
        const imported = await run.executor.runPhase(runtime.importImage(cell.image, tarball), { deadlineMs: run.matrix.phaseTimeoutMs * 10 });
        const importError = imported.error ?? runtime.checkImport?.(imported.records);
        run.sink.batch([setupSample(cell, unit.repeat, 'import-image', cell.image, imported.durationMs, importError)], []);
        if (importError !== undefined) {
          run.progress.note(`load ${cell.id}: the image did not import: ${importError}`);
          continue;
        }
        const group = { runtime, mountpoint: volume.mountpoint };
        if (calibrate) {
          const samples = await runRateStep(run, cell, group, { ratePerSecond: 0, rateStepIndex: -1, repeat: 0 });
          run.sink.batch(samples, []);
          known.push(...samples);
        }
        const meanServiceMs = calibratedServiceMs(known, cell.id);
        if (meanServiceMs !== undefined) run.progress.note(`load ${cell.id}: zero-load service time ${meanServiceMs.toFixed(0)} ms (mean of the calibration)`);
        let rates: number[];
        if (load.ratesPerSecond !== 'auto') rates = [...load.ratesPerSecond].sort((a, b) => a - b);
        else if (meanServiceMs !== undefined) rates = defaultRatesPerSecond(meanServiceMs, cell.concurrency, load.autoRateCount);
        else {
          run.progress.note(`load ${cell.id}: no calibration submission was graded, so no rates can be derived (ratesPerSecond: auto); skipped`);
          continue;
        }
        for (const rateStepIndex of todo) {
          if (run.signal.aborted) break;
          const ratePerSecond = rates[rateStepIndex]!;
          const samples = await runRateStep(run, cell, group, { ratePerSecond, rateStepIndex, repeat: unit.repeat });
          if (run.signal.aborted) break;
          run.sink.batch(samples, []);
        }
      } finally {
        await runtime.close();
      }
    } finally {
      await releaseVolume(run.workDir, volume);
    }
  }
}
