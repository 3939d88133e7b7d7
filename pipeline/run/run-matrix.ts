import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { removeCgroupTree } from '../../provision/cgroups.ts';
import { IMAGES } from '../../provision/images/index.ts';
import { teardownWorkDir } from '../../provision/teardown.ts';
import { provisionVolume, releaseVolume } from '../../provision/volume.ts';
import { ensureWorkDir, resolveWorkDir, workPaths } from '../../provision/work-dir.ts';
import { acquireWorkLock, releaseWorkLock } from '../../provision/work-lock.ts';
import { runHostChecks } from '../host/host-checks.ts';
import { scheduleUnits, type WorkUnit } from '../plan/schedule-units.ts';
import type { Progress } from '../progress/progress.ts';
import { LIFECYCLE_PHASES, type Cell, type HostFacts, type Manifest, type Matrix, type Sample } from '../types.ts';
import { isPreciseEnough, type StopReason } from './adaptive-stop.ts';
import type { Executor } from './executor/executor.ts';
import { openNativeExecutor } from './executor/native-executor.ts';
import { measureHarnessOverhead } from './harness-overhead.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { runGroup, setupSample } from './run-group.ts';
import { loadSeriesCells, runLoadExperiment } from './run-load.ts';
import type { LogEntry, SampleSink } from './sample-sink.ts';

/** Where a run writes: a results folder (the store stage's ResultsWriter fits). */
export interface ResultsOut {
  appendBatch(samples: Sample[], logs: LogEntry[]): void;
  writeManifest(manifest: Manifest): void;
  close(): void;
}

/** A run to make: planned cells, a manifest to fill, what an earlier run of the folder kept. */
export interface PlannedRun {
  matrix: Matrix;
  host: HostFacts;
  cells: Cell[];
  manifest: Manifest;
  /** Measured repetitions each cell already has, and the samples kept, when the folder is continued. */
  resume: { doneReps: Map<string, number>; samples: Sample[]; doneLoadSteps?: Set<string> } | null;
  out: ResultsOut;
}

export interface RunControl {
  signal: AbortSignal;
  progress: Progress;
  /** Stop the whole run at the first failed repetition. */
  failFast?: boolean;
}

/** Tears down what a dead run left in the work directory, saying so, before anything new is made. */
async function clearStaleRun(workDir: string, progress: Progress): Promise<void> {
  const { staleFrom, leftovers } = acquireWorkLock(workDir);
  if (leftovers.volumes + leftovers.daemons + leftovers.runtimeStates === 0) return;
  progress.note(`found what a dead run${staleFrom ? ` (pid ${staleFrom.pid}, started ${staleFrom.startedAt})` : ''} left in ${workDir}: ` +
    `${leftovers.volumes} volumes, ${leftovers.daemons} daemons, ${leftovers.runtimeStates} runtime states; tearing them down first`);
  await teardownWorkDir(workDir);
  acquireWorkLock(workDir);
}

/** How many measured repetitions each cell got, and why no more. */
function outcomesOf(feasible: Cell[], samplesOf: Map<string, Sample[]>, stopped: Map<string, StopReason>, matrix: Matrix): NonNullable<Manifest['cellOutcomes']> {
  const outcomes: NonNullable<Manifest['cellOutcomes']> = {};
  for (const cell of feasible) {
    const measured = (samplesOf.get(cell.id) ?? []).filter((sample) => !sample.warmup && (LIFECYCLE_PHASES as readonly string[]).includes(sample.phase));
    const measuredReps = new Set(measured.map((sample) => sample.rep)).size;
    const failedReps = new Set(measured.filter((sample) => !sample.ok).map((sample) => sample.rep)).size;
    // Precise only counts as the reason when it stopped the cell before the maximum.
    const stoppedBecause = measuredReps >= matrix.repetitions ? 'max-repetitions' : stopped.get(cell.id) ?? (measuredReps === 0 ? 'not-run' : 'interrupted');
    outcomes[cell.id] = { measuredReps, failedReps, stoppedBecause };
  }
  return outcomes;
}

async function buildImages(feasible: Cell[], workDir: string, scratchDir: string, manifest: Manifest, progress: Progress): Promise<Record<string, string>> {
  const tarballs: Record<string, string> = {};
  for (const imageName of new Set(feasible.map((cell) => cell.image))) {
    const recipe = IMAGES[imageName];
    if (recipe === undefined) continue;
    progress.note(`image ${imageName}: building it, or reusing the cached root filesystem`);
    // Images are expensive (grader: a debootstrap); CRBENCH_CACHE_DIR lets several work directories share them.
    const cacheDir = process.env['CRBENCH_CACHE_DIR'] ?? path.join(workPaths(workDir).cache, 'images');
    const built = await recipe.build(cacheDir, scratchDir);
    tarballs[imageName] = built.tarballPath;
    manifest.images = { ...manifest.images, [imageName]: { tarballSha256: built.tarballSha256, tarballBytes: built.tarballBytes } };
  }
  return tarballs;
}

interface UnitContext {
  workDir: string;
  host: HostFacts;
  matrix: Matrix;
  manifest: Manifest;
  imageTarballs: Record<string, string>;
  executor: Executor;
  sink: SampleSink;
  signal: AbortSignal;
  progress: Progress;
}

/** 3 provision → 4 run for one unit: a fresh volume for the group, released whatever happens. */
async function runUnit(unit: WorkUnit, context: UnitContext): Promise<void> {
  const { workDir, matrix, manifest, sink } = context;
  const first = unit.cells[0]?.cell;
  if (first === undefined) return;
  context.progress.unitStart(`block ${unit.block} ${unit.groupId}`);
  const startMs = performance.now();
  let volume: Awaited<ReturnType<typeof provisionVolume>>;
  try {
    volume = await provisionVolume(workDir, unit.groupId, first.filesystem, matrix.volumeSizeMiB);
  } catch (error) {
    // One group that cannot be provisioned is recorded, and the others still run.
    sink.batch([setupSample(first, unit.block, 'provision-volume', '-', performance.now() - startMs, (error as Error).message)], []);
    context.progress.note(`${unit.groupId}: provisioning failed, ${unit.cells.length} cells not run in block ${unit.block}: ${(error as Error).message}`);
    return;
  }
  sink.batch([setupSample(first, unit.block, 'provision-volume', '-', performance.now() - startMs)], []);
  manifest.filesystems[first.filesystem] = {
    mkfsArgs: volume.formatArgv.map((arg) => arg.replace(volume.device, 'DEVICE').replace(volume.mountpoint, 'MOUNTPOINT')),
    mountOptions: volume.mountOptions,
  };
  try {
    const { outcomes, workarounds } = await runGroup({
      groupId: unit.groupId, block: unit.block, cells: unit.cells, workDir, mountpoint: volume.mountpoint, poolName: volume.poolName,
      host: context.host, imageTarballs: context.imageTarballs, limits: DEFAULT_LIMITS, warmup: matrix.warmup,
      phaseTimeoutMs: matrix.phaseTimeoutMs, executor: context.executor, sink, signal: context.signal,
    });
    if (workarounds.length > 0) manifest.workarounds[first.runtime] = workarounds;
    for (const { cell } of unit.cells) {
      const outcome = outcomes.get(cell.id);
      context.progress.cellDone(`${cell.id} block ${unit.block}: ${outcome === undefined ? 'not run (see its log)' : `${outcome.measuredReps} measured, ${outcome.failedReps} failed`}`);
    }
  } finally {
    await releaseVolume(workDir, volume);
  }
}

/**
 * 3 provision → 4 run → 5 store, unit by unit, the volume released however the unit ends.
 * One executor (the native timer) serves the whole run. A batch's samples reach the results
 * folder as soon as the batch is over; a folder that already holds part of this run is
 * continued where it stopped.
 */
export async function runPlannedMatrix(run: PlannedRun, control: RunControl): Promise<Manifest> {
  const { matrix, host, cells, manifest, resume, out } = run;
  const workDir = ensureWorkDir(resolveWorkDir());
  await clearStaleRun(workDir, control.progress);
  const scratchDir = workPaths(workDir).scratch;
  mkdirSync(scratchDir, { recursive: true });
  const units = scheduleUnits(cells, matrix, { doneReps: resume?.doneReps ?? new Map() });
  const executor = await openNativeExecutor({ scratchDir });
  const feasible = cells.filter((cell) => cell.feasible);
  const samplesOf = new Map<string, Sample[]>();
  const remember = (sample: Sample) => {
    const list = samplesOf.get(sample.cellId);
    if (list === undefined) samplesOf.set(sample.cellId, [sample]);
    else list.push(sample);
  };
  for (const sample of resume?.samples ?? []) remember(sample);
  const stopped = new Map<string, StopReason>();
  let failedRepetitions = 0;
  // Ours, so that --fail-fast can stop the run as a signal would, without touching the caller's.
  const controller = new AbortController();
  const abort = () => controller.abort();
  control.signal.addEventListener('abort', abort);
  const sink: SampleSink = {
    batch(samples, logs) {
      out.appendBatch(samples, logs);
      samples.forEach(remember);
    },
    repetitionDone(cellId, ok) {
      control.progress.repetitionDone(cellId, ok);
      if (!ok) failedRepetitions += 1;
      if (!ok && control.failFast === true) controller.abort();
    },
  };
  out.writeManifest(manifest);
  const startMs = performance.now();
  try {
    manifest.harness = await measureHarnessOverhead(executor);
    control.progress.note(`clock overhead: /bin/true takes ${manifest.harness.medianMs.toFixed(2)} ms (median of ${manifest.harness.runs}) timed as a phase is`);
    const before = runHostChecks(workDir, 2 * matrix.volumeSizeMiB * 1024 ** 2);
    manifest.hostChecks = { before: before.checks, throttleCountBefore: before.throttleCount };
    for (const check of before.checks.filter((entry) => entry.status !== 'ok')) {
      control.progress.note(`warning: ${check.name}: ${check.detail}${check.fix ? ` (${check.fix})` : ''}`);
    }
    out.writeManifest(manifest);
    const loadCells = matrix.load !== undefined ? loadSeriesCells(matrix.load, host).filter((cell) => cell.feasible) : [];
    const imageTarballs = await buildImages([...feasible, ...loadCells], workDir, scratchDir, manifest, control.progress);
    control.progress.start({ units: units.length, repetitions: units.reduce((sum, unit) => sum + unit.cells.reduce((cellSum, entry) => cellSum + entry.reps + matrix.warmup, 0), 0) });
    for (const unit of units) {
      if (controller.signal.aborted) break;
      const entries = unit.cells.filter((entry) => !stopped.has(entry.cell.id));
      if (entries.length === 0) continue;
      await runUnit({ ...unit, cells: entries }, { workDir, host, matrix, manifest, imageTarballs, executor, sink, signal: controller.signal, progress: control.progress });
      for (const { cell } of entries) {
        if (matrix.adaptive !== undefined && isPreciseEnough(samplesOf.get(cell.id) ?? [], matrix.adaptive, matrix.seed)) stopped.set(cell.id, 'precise');
      }
      out.writeManifest(manifest);
    }
    // The open-loop load experiment (issue 14): after the cells, on volumes of its own.
    if (matrix.load !== undefined && !controller.signal.aborted) {
      await runLoadExperiment({
        matrix: { ...matrix, load: matrix.load }, host, workDir, imageTarballs, executor, sink, progress: control.progress, signal: controller.signal,
        doneSteps: resume?.doneLoadSteps ?? new Set(), previousSamples: resume?.samples ?? [],
      });
    }
  } finally {
    control.signal.removeEventListener('abort', abort);
    await executor.close();
    manifest.cellOutcomes = outcomesOf(feasible, samplesOf, stopped, matrix);
    const after = runHostChecks(workDir, 0);
    manifest.hostChecks = { ...manifest.hostChecks ?? { before: [], throttleCountBefore: 0 }, after: after.checks, throttleCountAfter: after.throttleCount };
    if (after.throttleCount > (manifest.hostChecks.throttleCountBefore ?? 0)) {
      control.progress.note(`warning: the CPUs were thermally throttled ${after.throttleCount - manifest.hostChecks.throttleCountBefore} times during the run`);
    }
    manifest.endedAt = controller.signal.aborted ? null : new Date().toISOString();
    out.writeManifest(manifest);
    out.close();
    removeCgroupTree(workDir);
    releaseWorkLock(workDir);
    const outcomes = Object.values(manifest.cellOutcomes);
    control.progress.finish({
      cellsDone: outcomes.filter((outcome) => outcome.measuredReps > 0).length,
      cellsSkipped: cells.length - feasible.length,
      cellsErrored: outcomes.filter((outcome) => outcome.failedReps > 0).length,
      repetitions: outcomes.reduce((sum, outcome) => sum + outcome.measuredReps, 0),
      failedRepetitions,
      elapsedMs: performance.now() - startMs,
      interrupted: controller.signal.aborted,
    });
  }
  return manifest;
}
