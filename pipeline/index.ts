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
 *    ▼ 8 report    Summary + charts → chapter4 / chapter5 / appendix (.md, .tex + numbers.tex), measurements.html, .pdf, tables/*.csv
 * ```
 * Stages 6–8 never touch the machine: a results folder renders the same report anywhere.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { teardownWorkDir, type TeardownReport } from '../provision/teardown.ts';
import { resolveWorkDir } from '../provision/work-dir.ts';
import { assertNoLiveRun } from '../provision/work-lock.ts';
import { CrbenchError } from './errors.ts';
import { gitInfo } from './host/git-info.ts';
import { probeHost } from './host/probe-host.ts';
import { probeVm } from './host/probe-vm.ts';
import { askToolVersions, VERSIONED_TOOLS } from './host/tool-versions.ts';
import { loadMatrix } from './load/load-matrix.ts';
import { requiredBinaries } from './plan/feasibility.ts';
import { requirementsOf } from './plan/find-skip-reason.ts';
import { planCells } from './plan/plan-cells.ts';
import { groupsOfShard } from './plan/schedule-units.ts';
import type { Progress } from './progress/progress.ts';
import { DEFAULT_LIMITS } from './run/limits.ts';
import { runPlannedMatrix } from './run/run-matrix.ts';
import { describeSecurityProfile } from './run/security/describe-security-profile.ts';
import { adapterOf } from './run/runtimes/index.ts';
import { WORKLOADS } from './run/workloads/index.ts';
import { readResults } from './store/read-results.ts';
import { ResultsWriter } from './store/results-writer.ts';
import { assertResumable, prepareResume, type ResumeState } from './store/resume-results.ts';
import { type Axis, type Cell, type HostFacts, type Manifest, type Matrix, type MatrixSource } from './types.ts';

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
  const needsVm = (runtime: string) => requirementsOf('runtime', runtime).some((requirement) => requirement.kind === 'vm');
  const vmRuntimes = loaded.matrix.axes.runtime.filter(needsVm);
  if (vmRuntimes.length > 0) host.vm = await probeVm();
  return { ...loaded, host, cells: planCells(loaded.matrix, host) };
}

/** The command behind each phase, per `runtime/storageDriver/lifecycle`, for the report to cite. */
function phaseCommandsOf(cells: Cell[]): Manifest['phaseCommands'] {
  const commands: Manifest['phaseCommands'] = {};
  for (const cell of cells.filter((candidate) => candidate.feasible)) {
    const adapter = adapterOf(cell.runtime);
    if (adapter !== undefined) commands[`${cell.runtime}/${cell.storageDriver}/${cell.lifecycle}`] = adapter.describePhases(cell.storageDriver, cell.lifecycle, cell.runtime);
    // A workload that is a whole submission (the INGInious task) holds more than the runtime's commands.
    const describeSubmission = WORKLOADS[cell.workload]?.describePhases;
    if (adapter !== undefined && describeSubmission !== undefined) {
      commands[`${cell.runtime}/${cell.storageDriver}/${cell.lifecycle}/${cell.workload}`] = describeSubmission(adapter.describePhases(cell.storageDriver, cell.lifecycle, cell.runtime));
    }
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

/** The manifest of a new run, before anything is measured. */
async function freshManifest(matrix: Matrix, source: MatrixSource, host: HostFacts, cells: Cell[], options: RunOptions): Promise<Manifest> {
  const selection = {
    ...(options.shard ? { shard: options.shard } : {}), ...(options.only ? { only: options.only } : {}),
    ...(options.repetitions !== undefined || options.seed !== undefined ? { overrides: { repetitions: options.repetitions, seed: options.seed } } : {}),
  };
  return {
    schemaVersion: 2,
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
    securityProfile: describeSecurityProfile({ runtimes: [...new Set(cells.filter((cell) => cell.feasible).map((cell) => cell.runtime))] }),
    images: {},
    cells,
    ...(Object.keys(selection).length > 0 ? { selection } : {}),
    startedAt: new Date().toISOString(),
    endedAt: null,
  };
}

/**
 * 1 load → 2 plan → (5 store: a new or continued results folder) → 3 provision → 4 run →
 * 5 store, unit by unit (run/run-matrix.ts). Samples are on disk as soon as their batch is
 * over; a folder that already holds part of this run is continued where it stopped.
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
  return runPlannedMatrix({ matrix, host, cells, manifest, resume, out: new ResultsWriter(resultsDir) }, options);
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
