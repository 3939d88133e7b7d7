import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../errors.ts';
import { AXES, type Cell, type Manifest, type Sample } from '../types.ts';
import { readResults, type ResultsFolder } from './read-results.ts';
import { hostFingerprint } from './resume-results.ts';

const sampleKey = (sample: Sample) => `${sample.cellId} ${sample.block} ${sample.warmup} ${sample.rep} ${sample.phase}`;

/**
 * Checks that results folders are parts of one measurement: the same matrix (by hash),
 * and one host unless the matrix allows several; no measurement in two of them.
 */
export function assertMergeable(inputs: { path: string; results: ResultsFolder }[]): void {
  const [first, ...rest] = inputs;
  if (first === undefined) throw new CrbenchError('MERGE_NOTHING', 'merge needs at least one results folder', { exitCode: 2 });
  const resolved = inputs.map((input) => path.resolve(input.path));
  const twice = resolved.find((dir, index) => resolved.indexOf(dir) !== index);
  if (twice !== undefined) throw new CrbenchError('MERGE_OVERLAP', `${twice} is given twice: each shard's folder once`, { exitCode: 2 });
  for (const other of rest) {
    if (other.results.manifest.matrixSha256 !== first.results.manifest.matrixSha256) {
      throw new CrbenchError('MERGE_MATRIX_MISMATCH', `${other.path} measured another matrix than ${first.path} ` +
        `(sha256 ${other.results.manifest.matrixSha256.slice(0, 12)} vs ${first.results.manifest.matrixSha256.slice(0, 12)}): only shards of one matrix merge`, { exitCode: 2 });
    }
    if (first.results.manifest.matrix.hosts !== 'many' && hostFingerprint(other.results.manifest.host) !== hostFingerprint(first.results.manifest.host)) {
      throw new CrbenchError('MERGE_HOST_MISMATCH', `${other.path} was measured on another host than ${first.path} ` +
        `(${hostFingerprint(other.results.manifest.host)} vs ${hostFingerprint(first.results.manifest.host)}), and the matrix says hosts: one`, { exitCode: 2 });
    }
  }
  const seen = new Map<string, string>();
  for (const input of inputs) {
    for (const sample of input.results.samples.filter((candidate) => candidate.cellId !== candidate.groupId)) {
      const other = seen.get(sampleKey(sample));
      if (other !== undefined && other !== input.path) {
        throw new CrbenchError('MERGE_OVERLAP', `${sample.cellId} block ${sample.block} rep ${sample.rep} ${sample.phase} was measured in both ${other} and ${input.path}: ` +
          'merge takes disjoint shards (crbench run --shard i/n), not two runs of the same cells', { exitCode: 2 });
      }
      seen.set(sampleKey(sample), input.path);
    }
  }
}

/** Every cell of every input, once, in plan order (axis by axis, as listed); a cell feasible anywhere counts as feasible. */
function unionOfCells(manifests: Manifest[], matrix: Manifest['matrix']): Cell[] {
  const byId = new Map<string, Cell>();
  for (const cell of manifests.flatMap((manifest) => manifest.cells)) {
    const known = byId.get(cell.id);
    if (known === undefined || (!known.feasible && cell.feasible)) byId.set(cell.id, cell);
  }
  const rank = (cell: Cell) => AXES.map((axis) => (matrix.axes[axis] as (string | number)[]).indexOf(cell[axis]));
  return [...byId.values()].sort((a, b) => {
    const [rankA, rankB] = [rank(a), rank(b)];
    return rankA.reduce((order, value, index) => order || value - (rankB[index] ?? 0), 0);
  });
}

/**
 * Combines shard folders into `outDir`: one manifest (cells, outcomes, filesystems,
 * workarounds and images united; each input's host and times kept in `mergedFrom`), the
 * samples of every input in input order, and the logs.
 */
export function mergeResults(outDir: string, inputDirs: string[]): Manifest {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new CrbenchError('MERGE_OUT_EXISTS', `${outDir} is not empty: merge writes into a new folder`, { exitCode: 2 });
  }
  const inputs = inputDirs.map((dir) => ({ path: dir, results: readResults(dir) }));
  assertMergeable(inputs);
  const manifests = inputs.map((input) => input.results.manifest);
  const [first] = manifests as [Manifest, ...Manifest[]];
  const endedAt = manifests.every((manifest) => manifest.endedAt !== null) ? manifests.map((manifest) => manifest.endedAt as string).sort().at(-1) ?? null : null;
  const merged: Manifest = {
    ...first,
    cells: unionOfCells(manifests, first.matrix),
    filesystems: Object.assign({}, ...manifests.map((manifest) => manifest.filesystems)),
    workarounds: Object.assign({}, ...manifests.map((manifest) => manifest.workarounds)),
    phaseCommands: Object.assign({}, ...manifests.map((manifest) => manifest.phaseCommands)),
    images: Object.assign({}, ...manifests.map((manifest) => manifest.images ?? {})),
    cellOutcomes: Object.assign({}, ...manifests.map((manifest) => manifest.cellOutcomes ?? {})),
    mergedFrom: inputs.map(({ path: dir, results: { manifest } }) => ({
      path: dir, host: hostFingerprint(manifest.host),
      ...(manifest.selection ? { selection: manifest.selection } : {}), startedAt: manifest.startedAt, endedAt: manifest.endedAt,
    })),
    startedAt: manifests.map((manifest) => manifest.startedAt).sort()[0] ?? first.startedAt,
    endedAt,
  };
  delete merged.selection;
  mkdirSync(path.join(outDir, 'logs'), { recursive: true });
  writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(merged, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'samples.jsonl'), inputs.flatMap((input) => input.results.samples).map((sample) => `${JSON.stringify(sample)}\n`).join(''));
  for (const dir of inputDirs) {
    const logs = path.join(dir, 'logs');
    if (!existsSync(logs)) continue;
    for (const file of readdirSync(logs)) copyFileSync(path.join(logs, file), path.join(outDir, 'logs', file));
  }
  return merged;
}
