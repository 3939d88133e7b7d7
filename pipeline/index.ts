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
 *    ▼ 8 report    Summary + charts → chapter5.md / .html
 * ```
 * Stages 6–8 never touch the machine: a results folder renders the same report anywhere.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGES } from '../provision/images/index.ts';
import { teardownWorkDir, type TeardownReport } from '../provision/teardown.ts';
import { provisionVolume, releaseVolume } from '../provision/volume.ts';
import { ensureWorkDir, resolveWorkDir, workPaths } from '../provision/work-dir.ts';
import { CrbenchError } from './errors.ts';
import { gitInfo } from './host/git-info.ts';
import { probeHost } from './host/probe-host.ts';
import { askToolVersions, VERSIONED_TOOLS } from './host/tool-versions.ts';
import { loadMatrix } from './load/load-matrix.ts';
import { planCells } from './plan/plan-cells.ts';
import { requiredBinaries } from './plan/feasibility.ts';
import { DEFAULT_LIMITS } from './run/limits.ts';
import { runGroup, setupSample } from './run/run-group.ts';
import type { SampleSink } from './run/sample-sink.ts';
import { RUNTIMES } from './run/runtimes/index.ts';
import { readResults } from './store/read-results.ts';
import { ResultsWriter } from './store/results-writer.ts';
import type { Cell, HostFacts, Manifest, Matrix, MatrixSource } from './types.ts';

export const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Plain progress lines; the CLI decides where they go. */
export type Progress = (line: string) => void;

/** 1 load. */
export async function validateMatrixFile(matrixPath: string): Promise<{ matrix: Matrix; source: MatrixSource }> {
  return loadMatrix(matrixPath);
}

/** 1 load → 2 plan, against the facts of this host. */
export async function planMatrixFile(matrixPath: string): Promise<{ matrix: Matrix; source: MatrixSource; cells: Cell[]; host: HostFacts }> {
  const loaded = await loadMatrix(matrixPath);
  const host = probeHost(requiredBinaries());
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

function groupsOf(cells: Cell[]): Map<string, Cell[]> {
  const groups = new Map<string, Cell[]>();
  for (const cell of cells.filter((candidate) => candidate.feasible)) {
    groups.set(cell.groupId, [...(groups.get(cell.groupId) ?? []), cell]);
  }
  return groups;
}

function refuseUsedResultsDir(resultsDir: string): void {
  if (existsSync(path.join(resultsDir, 'manifest.json'))) {
    const manifest = JSON.parse(readFileSync(path.join(resultsDir, 'manifest.json'), 'utf8')) as Partial<Manifest>;
    const state = manifest.endedAt ? 'a finished run' : 'an unfinished run';
    throw new CrbenchError('RESULTS_EXIST',
      `${resultsDir} already holds ${state} of matrix '${manifest.matrix?.name ?? '?'}'; ` +
      'give another --results folder, or delete this one to measure again', { exitCode: 2 });
  }
}

/**
 * 1 load → 2 plan → for each group of feasible cells: 3 provision → 4 run → 5 store,
 * the volume released however the group ends. Samples are on disk as soon as measured.
 */
export async function runMatrixFile(matrixPath: string, resultsDir: string, options: { signal: AbortSignal; progress: Progress }): Promise<Manifest> {
  const { matrix, source, cells, host } = await planMatrixFile(matrixPath);
  if (!host.isRoot) {
    throw new CrbenchError('NOT_ROOT', 'crbench run needs root: it attaches loop devices, formats and mounts them, and runs runtimes', { exitCode: 2 });
  }
  refuseUsedResultsDir(resultsDir);
  const workDir = ensureWorkDir(resolveWorkDir());
  const scratchDir = workPaths(workDir).scratch;
  mkdirSync(scratchDir, { recursive: true });
  const feasible = cells.filter((cell) => cell.feasible);
  options.progress(`${matrix.name}: ${cells.length} cells, ${feasible.length} feasible, ${cells.length - feasible.length} skipped`);

  const writer = new ResultsWriter(resultsDir);
  const manifest: Manifest = {
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
    startedAt: new Date().toISOString(),
    endedAt: null,
  };
  writer.writeManifest(manifest);
  const sink: SampleSink = {
    sample: (sample) => writer.appendSample(sample),
    commands: (cellId, label, records) => writer.appendCommands(cellId, label, records),
  };
  try {
    const imageTarballs: Record<string, string> = {};
    for (const imageName of new Set(feasible.map((cell) => cell.image))) {
      const recipe = IMAGES[imageName];
      if (recipe === undefined) continue;
      options.progress(`image ${imageName}: building or reusing the cached root filesystem`);
      const built = await recipe.build(path.join(workPaths(workDir).cache, 'images'), scratchDir);
      imageTarballs[imageName] = built.tarballPath;
      manifest.images = { ...manifest.images, [imageName]: { tarballSha256: built.tarballSha256, tarballBytes: built.tarballBytes } };
    }
    let done = 0;
    for (const [groupId, groupCells] of groupsOf(cells)) {
      if (options.signal.aborted) break;
      const first = groupCells[0] as Cell;
      const startMs = performance.now();
      let volume: Awaited<ReturnType<typeof provisionVolume>>;
      try {
        volume = await provisionVolume(workDir, groupId, first.filesystem, matrix.volumeSizeMiB);
      } catch (error) {
        // One group that cannot be provisioned is recorded and the others still run.
        sink.sample(setupSample(first, 'provision-volume', '-', performance.now() - startMs, (error as Error).message));
        done += groupCells.length;
        options.progress(`${groupId}: provisioning failed, its ${groupCells.length} cells are not run: ${(error as Error).message}`);
        continue;
      }
      sink.sample(setupSample(first, 'provision-volume', '-', performance.now() - startMs));
      manifest.filesystems[first.filesystem] = { mkfsArgs: volume.formatArgv.map((arg) => arg.replace(volume.device, 'DEVICE').replace(volume.mountpoint, 'MOUNTPOINT')), mountOptions: volume.mountOptions };
      try {
        const { outcomes, workarounds } = await runGroup({
          groupId, cells: groupCells, workDir, mountpoint: volume.mountpoint, poolName: volume.poolName, host, imageTarballs, limits: DEFAULT_LIMITS,
          repetitions: matrix.repetitions, warmup: matrix.warmup, phaseTimeoutMs: matrix.phaseTimeoutMs, scratchDir, sink, signal: options.signal,
        });
        if (workarounds.length > 0) manifest.workarounds[first.runtime] = workarounds;
        for (const cell of groupCells) {
          done += 1;
          const outcome = outcomes.get(cell.id);
          const how = outcome === undefined ? 'not run' : `${outcome.measuredReps} measured, ${outcome.failedReps} failed`;
          options.progress(`[${done}/${feasible.length}] ${cell.id}: ${how}`);
        }
      } finally {
        await releaseVolume(workDir, volume);
      }
      writer.writeManifest(manifest);
    }
  } finally {
    manifest.endedAt = options.signal.aborted ? null : new Date().toISOString();
    writer.writeManifest(manifest);
    writer.close();
  }
  return manifest;
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
  const figures = await renderFigures(summary);
  return writeReport({ summary, manifest: results.manifest, figures, outDir });
}

/** Removes everything provisioned below the work directory. */
export async function teardown(options: { purgeCache?: boolean } = {}): Promise<TeardownReport> {
  return teardownWorkDir(resolveWorkDir(), options);
}
