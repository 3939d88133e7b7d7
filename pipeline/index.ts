/**
 * The one place that wires the stages together.
 *
 * ```
 * experiments/*.yaml
 *    │ 1 load      YAML → Matrix            (schema check, every error with file:line:col)
 *    │ 2 plan      Matrix → Cell[]          (axes expanded in listed order, infeasible
 *    │                                       cells kept with their reason, stable ids)
 *    │ 3 provision Cell group → volume      (image file → loop → mkfs → mount; runtime
 *    │                                       state on it; released in `finally`)
 *    │ 4 run       Cell → Sample[]          (five life-cycle phases, each timed)
 *    │ 5 store     Sample → samples.jsonl   (appended + fsynced as measured; manifest.json)
 *    │ 6 analyse   samples → Summary        (robust statistics, bootstrap CIs)
 *    │ 7 chart     Summary → *.vl.json/svg  (pure spec builders; rendering apart)
 *    ▼ 8 report    Summary + charts → chapter5.md / .html / .tex (numbers.tex) / .pdf
 * ```
 * Stages 6–8 never touch the machine: a results folder renders the same report anywhere.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeCgroupTree } from '../provision/cgroups.ts';
import { IMAGES } from '../provision/images/index.ts';
import { teardownWorkDir, type TeardownReport } from '../provision/teardown.ts';
import { provisionVolume, releaseVolume } from '../provision/volume.ts';
import { ensureWorkDir, resolveWorkDir, workPaths } from '../provision/work-dir.ts';
import { acquireWorkLock, assertNoLiveRun, releaseWorkLock } from '../provision/work-lock.ts';
import { CrbenchError } from './errors.ts';
import { gitInfo } from './host/git-info.ts';
import { runHostChecks } from './host/host-checks.ts';
import { probeHost } from './host/probe-host.ts';
import { askToolVersions, VERSIONED_TOOLS } from './host/tool-versions.ts';
import { loadMatrix } from './load/load-matrix.ts';
import { planCells } from './plan/plan-cells.ts';
import { groupsOfShard, scheduleUnits, type WorkUnit } from './plan/schedule-units.ts';
import type { Progress } from './progress/progress.ts';
import { isPreciseEnough, type StopReason } from './run/adaptive-stop.ts';
import { measureHarnessOverhead } from './run/harness-overhead.ts';
import { AXIS_REQUIREMENTS, requiredBinaries } from './plan/feasibility.ts';
import { probeVm } from './host/probe-vm.ts';
import { DEFAULT_LIMITS } from './run/limits.ts';
import { runGroup, setupSample } from './run/run-group.ts';
import type { SampleSink } from './run/sample-sink.ts';
import { RUNTIMES } from './run/runtimes/index.ts';
import { readResults } from './store/read-results.ts';
import { ResultsWriter } from './store/results-writer.ts';
import { assertResumable, prepareResume, type ResumeState } from './store/resume-results.ts';
import { LIFECYCLE_PHASES, type Axis, type Cell, type HostFacts, type Manifest, type Matrix, type MatrixSource, type Sample } from './types.ts';

export const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');


/** 1 load. */
export async function validateMatrixFile(matrixPath: string): Promise<{ matrix: Matrix; source: MatrixSource }> {
  return loadMatrix(matrixPath);
}

/** 1 load → 2 plan, against the facts of this host. */
export async function planMatrixFile(matrixPath: string): Promise<{ matrix: Matrix; source: MatrixSource; cells: Cell[]; host: HostFacts }> {
  const loaded = await loadMatrix(matrixPath);
  const host = probeHost(requiredBinaries());
  // Only a started guest proves KVM works; worth its seconds only when a VM runtime is asked for.
  const vmRuntimes = loaded.matrix.axes.runtime.filter((runtime) => AXIS_REQUIREMENTS.runtime.values[runtime]?.some((requirement) => requirement.kind === 'vm'));
  if (vmRuntimes.length > 0) host.vm = await probeVm();
  return { ...loaded, host, cells: planCells(loaded.matrix, host) };
}

function phaseCommandsOf(cells: Cell[]): Manifest['phaseCommands'] {
  const commands: Manifest['phaseCommands'] = {};
  for (const cell of cells.filter((candidate) => candidate.feasible)) {
    const runtime = RUNTIMES[cell.runtime];
    if (runtime !== undefined) commands[`${cell.runtime}/${cell.storageDriver}`] = runtime.describePhases(cell.storageDriver);
  }
  return commands;
}

/** What `crbench run` may change about a run besides the matrix. */
export interface RunOptions {
  signal: AbortSignal;
  progress: Progress;
  shard?: { index: number; count: number };
  only?: Partial<Record<Axis, string[]>>;
  repetitions?: number;
  seed?: number;
  /** Continue a folder of another matrix or host anyway. */
  force?: boolean;
  /** Stop the whole run at the first failed repetition. */
  failFast?: boolean;
}

function applyOverrides(matrix: Matrix, options: RunOptions): Matrix {
  return { ...matrix, ...(options.repetitions !== undefined ? { repetitions: options.repetitions } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) };
}

function selectCells(cells: Cell[], options: RunOptions): Cell[] {
  const only = Object.entries(options.only ?? {}) as [Axis, string[]][];
  const matching = cells.filter((cell) => only.every(([axis, values]) => values.includes(String(cell[axis]))));
  if (only.length > 0 && matching.length === 0) {
    throw new CrbenchError('EMPTY_SELECTION', `--only ${only.map(([axis, values]) => `${axis}=${values.join(',')}`).join(' ')} matches no cell of the matrix`, { exitCode: 2 });
  }
  if (options.shard === undefined) return matching;
  const groups = new Set(groupsOfShard(matching, options.shard));
  return matching.filter((cell) => !cell.feasible || groups.has(cell.groupId));
}

/** A results folder: a new one, or one to continue (same matrix and host, unless forced). */
function openResults(resultsDir: string, fresh: Manifest, options: RunOptions): { manifest: Manifest; resume: ResumeState | null } {
  const manifestPath = path.join(resultsDir, 'manifest.json');
  if (!existsSync(manifestPath)) return { manifest: fresh, resume: null };
  const previous = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  assertResumable(previous, { matrixSha256: fresh.matrixSha256, host: fresh.host }, options.force === true);
  const sameSelection = JSON.stringify(previous.selection ?? {}) === JSON.stringify(fresh.selection ?? {});
  if (!sameSelection && options.force !== true) {
    throw new CrbenchError('RESUME_SELECTION_CHANGED', `${resultsDir} holds a run with other --shard/--only/--reps/--seed settings (${JSON.stringify(previous.selection ?? {})}); use the same ones, a new --results folder, or --force`, { exitCode: 2 });
  }
  const resume = prepareResume(resultsDir);
  return { manifest: { ...fresh, startedAt: previous.startedAt, resumedAt: [...(previous.resumedAt ?? []), fresh.startedAt] }, resume };
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

/** The manifest of a new run, before anything is measured. */
async function freshManifest(matrix: Matrix, source: MatrixSource, host: HostFacts, cells: Cell[], options: RunOptions): Promise<Manifest> {
  const selection = {
    ...(options.shard ? { shard: options.shard } : {}), ...(options.only ? { only: options.only } : {}),
    ...(options.repetitions !== undefined || options.seed !== undefined ? { overrides: { repetitions: options.repetitions, seed: options.seed } } : {}),
  };
  return {
    schemaVersion: 1,
    crbench: { version: JSON.parse(readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8')).version as string, ...gitInfo(REPO_DIR) },
    matrixPath: path.relative(REPO_DIR, path.resolve(source.path)),
    matrixSha256: source.sha256,
    matrix,
    host,
    toolVersions: await askToolVersions(VERSIONED_TOOLS.filter((tool) => host.binaries[tool] !== null && host.binaries[tool] !== undefined)),
    filesystems: {},
    phaseCommands: phaseCommandsOf(cells),
    workarounds: {},
    limits: DEFAULT_LIMITS,
    images: {},
    cells,
    ...(Object.keys(selection).length > 0 ? { selection } : {}),
    startedAt: new Date().toISOString(),
    endedAt: null,
  };
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

/**
 * 1 load → 2 plan and schedule → unit by unit: 3 provision → 4 run → 5 store, the volume
 * released however the unit ends. Samples are on disk as soon as measured; a folder that
 * already holds part of this run is continued where it stopped.
 */
export async function runMatrixFile(matrixPath: string, resultsDir: string, options: RunOptions): Promise<Manifest> {
  const loaded = await planMatrixFile(matrixPath);
  const { source, host } = loaded;
  const matrix = applyOverrides(loaded.matrix, options);
  if (!host.isRoot) {
    throw new CrbenchError('NOT_ROOT', 'crbench run needs root: it attaches loop devices, formats and mounts them, and runs runtimes', { exitCode: 2 });
  }
  const cells = selectCells(loaded.cells, options);
  const { manifest, resume } = openResults(resultsDir, await freshManifest(matrix, source, host, cells, options), options);
  if (resume !== null) {
    const done = [...resume.doneReps.values()].reduce((sum, reps) => sum + reps, 0);
    options.progress.note(`continuing ${resultsDir}: ${done} measured repetitions kept` +
      (resume.setAside.tornLines > 0 ? `, ${resume.setAside.tornLines} torn line(s) set aside in samples.torn.jsonl` : '') +
      (resume.setAside.partialSamples > 0 ? `, ${resume.setAside.partialSamples} samples of a cut-short repetition set aside in samples.partial.jsonl` : ''));
  }
  const workDir = ensureWorkDir(resolveWorkDir());
  await clearStaleRun(workDir, options.progress);
  const scratchDir = workPaths(workDir).scratch;
  mkdirSync(scratchDir, { recursive: true });
  const units = scheduleUnits(cells, matrix, { doneReps: resume?.doneReps ?? new Map() });
  manifest.harness = await measureHarnessOverhead(scratchDir);
  options.progress.note(`clock overhead: /bin/true takes ${manifest.harness.medianMs.toFixed(2)} ms (median of ${manifest.harness.runs}) timed as a phase is`);
  const before = runHostChecks(workDir, 2 * matrix.volumeSizeMiB * 1024 ** 2);
  manifest.hostChecks = { before: before.checks, throttleCountBefore: before.throttleCount };
  for (const check of before.checks.filter((entry) => entry.status !== 'ok')) {
    options.progress.note(`warning: ${check.name}: ${check.detail}${check.fix ? ` (${check.fix})` : ''}`);
  }
  const feasible = cells.filter((cell) => cell.feasible);
  const writer = new ResultsWriter(resultsDir);
  const samplesOf = new Map<string, Sample[]>();
  for (const sample of resume?.samples ?? []) samplesOf.set(sample.cellId, [...(samplesOf.get(sample.cellId) ?? []), sample]);
  const stopped = new Map<string, StopReason>();
  let failedRepetitions = 0;
  // Ours, so that --fail-fast can stop the run as a signal would, without touching the caller's.
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal.addEventListener('abort', abort);
  const sink: SampleSink = {
    sample(sample) {
      writer.appendSample(sample);
      samplesOf.set(sample.cellId, [...(samplesOf.get(sample.cellId) ?? []), sample]);
    },
    commands: (cellId, label, records) => writer.appendCommands(cellId, label, records),
    repetitionDone(cellId, ok) {
      options.progress.repetitionDone(cellId, ok);
      if (!ok) failedRepetitions += 1;
      if (!ok && options.failFast === true) controller.abort();
    },
  };
  writer.writeManifest(manifest);
  const startMs = performance.now();
  try {
    const imageTarballs = await buildImages(feasible, workDir, scratchDir, manifest, options.progress);
    options.progress.start({ units: units.length, repetitions: units.reduce((sum, unit) => sum + unit.cells.reduce((cellSum, entry) => cellSum + entry.reps + matrix.warmup, 0), 0) });
    for (const unit of units) {
      if (controller.signal.aborted) break;
      const entries = unit.cells.filter((entry) => !stopped.has(entry.cell.id));
      if (entries.length === 0) continue;
      await runUnit({ ...unit, cells: entries }, { workDir, scratchDir, host, matrix, manifest, imageTarballs, sink, signal: controller.signal, progress: options.progress });
      for (const { cell } of entries) {
        if (matrix.adaptive !== undefined && isPreciseEnough(samplesOf.get(cell.id) ?? [], matrix.adaptive, matrix.seed)) stopped.set(cell.id, 'precise');
      }
      writer.writeManifest(manifest);
    }
  } finally {
    options.signal.removeEventListener('abort', abort);
    manifest.cellOutcomes = outcomesOf(feasible, samplesOf, stopped, matrix);
    const after = runHostChecks(workDir, 0);
    manifest.hostChecks = { ...manifest.hostChecks ?? { before: [], throttleCountBefore: 0 }, after: after.checks, throttleCountAfter: after.throttleCount };
    if (after.throttleCount > (manifest.hostChecks.throttleCountBefore ?? 0)) {
      options.progress.note(`warning: the CPUs were thermally throttled ${after.throttleCount - manifest.hostChecks.throttleCountBefore} times during the run`);
    }
    manifest.endedAt = controller.signal.aborted ? null : new Date().toISOString();
    writer.writeManifest(manifest);
    writer.close();
    removeCgroupTree(workDir);
    releaseWorkLock(workDir);
    const outcomes = Object.values(manifest.cellOutcomes);
    options.progress.finish({
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
  scratchDir: string;
  host: HostFacts;
  matrix: Matrix;
  manifest: Manifest;
  imageTarballs: Record<string, string>;
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
    sink.sample(setupSample(first, unit.block, 'provision-volume', '-', performance.now() - startMs, (error as Error).message));
    context.progress.note(`${unit.groupId}: provisioning failed, ${unit.cells.length} cells not run in block ${unit.block}: ${(error as Error).message}`);
    return;
  }
  sink.sample(setupSample(first, unit.block, 'provision-volume', '-', performance.now() - startMs));
  manifest.filesystems[first.filesystem] = {
    mkfsArgs: volume.formatArgv.map((arg) => arg.replace(volume.device, 'DEVICE').replace(volume.mountpoint, 'MOUNTPOINT')),
    mountOptions: volume.mountOptions,
  };
  try {
    const { outcomes, workarounds } = await runGroup({
      groupId: unit.groupId, block: unit.block, cells: unit.cells, workDir, mountpoint: volume.mountpoint, poolName: volume.poolName,
      host: context.host, imageTarballs: context.imageTarballs, limits: DEFAULT_LIMITS, warmup: matrix.warmup,
      phaseTimeoutMs: matrix.phaseTimeoutMs, scratchDir: context.scratchDir, sink, signal: context.signal,
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
 * 6 analyse → 7 chart → 8 report, from a results folder alone. Loaded on demand: vega
 * takes a noticeable part of a second to import, which validate and plan should not pay.
 */
export async function renderReport(resultsDir: string, outDir: string): Promise<string[]> {
  const { analyseResults } = await import('./analyse/analyse-results.ts');
  const { renderFigures } = await import('./chart/render-figures.ts');
  const { writeReport } = await import('./report/write-report.ts');
  const results = readResults(resultsDir);
  const summary = analyseResults(results);
  const figures = await renderFigures({ summary, manifest: results.manifest });
  return writeReport({ summary, manifest: results.manifest, figures, outDir });
}

/** Removes everything provisioned below the work directory; refuses while a live run uses it, unless forced. */
export async function teardown(options: { purgeCache?: boolean; force?: boolean } = {}): Promise<TeardownReport> {
  const workDir = resolveWorkDir();
  if (options.force !== true) assertNoLiveRun(workDir);
  const report = await teardownWorkDir(workDir, options);
  // A dead run's lock goes too; a live one's only when forced, which the user asked for.
  rmSync(path.join(workDir, 'crbench.lock'), { force: true });
  return report;
}
