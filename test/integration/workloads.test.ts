import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IMAGES, type BuiltImage } from '../../provision/images/index.ts';
import { WORKLOADS } from '../../pipeline/run/workloads/index.ts';
import { LIFECYCLE_PHASES, type Manifest, type Sample } from '../../pipeline/types.ts';
import { leftovers } from './host-leaks.ts';

const CLI = path.resolve('bin/crbench.js');
/**
 * Built images outlive the test: the grader image takes 80–90 s to build (debootstrap
 * alone ~45 s), a cached one is reused. Delete the folder to build afresh.
 */
const IMAGE_CACHE = process.env['CRBENCH_TEST_IMAGE_CACHE'] ?? '/var/cache/crbench-test-images';

function crbench(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });
}

/** Puts a built tarball where `crbench run` looks for it: the work directory's image cache. */
function seedCache(workDir: string, built: BuiltImage): void {
  const target = path.join(workDir, 'cache', 'images', path.basename(built.tarballPath));
  mkdirSync(path.dirname(target), { recursive: true });
  try {
    linkSync(built.tarballPath, target);
  } catch {
    copyFileSync(built.tarballPath, target);
  }
}

describe('every workload on every image, runc on ext4 (root, real loop devices)', function () {
  this.timeout(900_000);
  let workDir: string;
  let resultsDir: string;
  let env: NodeJS.ProcessEnv;
  const built: Record<string, BuiltImage> = {};
  let run: ReturnType<typeof crbench>;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-workloads-');
    resultsDir = `${workDir}-results`;
    env = { CRBENCH_WORK_DIR: workDir };
    for (const name of ['tiny', 'grader']) {
      const recipe = IMAGES[name];
      assert.ok(recipe, name);
      const startMs = performance.now();
      built[name] = await recipe.build(IMAGE_CACHE, path.join(workDir, 'scratch'));
      console.log(`      image ${name}: ${built[name].tarballBytes} bytes, ${built[name].fromCache ? 'cached' : `built in ${Math.round(performance.now() - startMs)} ms`}`);
      seedCache(workDir, built[name]);
    }
    const matrix = path.join(workDir, 'workloads.yaml');
    writeFileSync(matrix, [
      'schemaVersion: 1',
      'name: workloads-it',
      'axes:',
      '  runtime: [runc]',
      '  storageDriver: [copy]',
      '  filesystem: [ext4]',
      '  image: [tiny, grader]',
      `  workload: [${Object.keys(WORKLOADS).filter((name) => WORKLOADS[name]?.plan === undefined).join(', ')}]`, // a whole submission (inginious-task*) has a test of its own
      '  concurrency: [1]',
      'repetitions: 1',
      'warmup: 0',
      'volumeSizeMiB: 2048',
      '',
    ].join('\n'));
    run = crbench(['run', matrix, '--results', resultsDir], env);
  });

  after(() => {
    if (workDir === undefined) return;
    crbench(['teardown'], env);
    for (const dir of [workDir, resultsDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0', () => {
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  });

  it('uses the cached images, without building them again', () => {
    const manifest = JSON.parse(readFileSync(path.join(resultsDir, 'manifest.json'), 'utf8')) as Manifest;
    for (const [name, image] of Object.entries(built)) {
      assert.deepEqual(manifest.images?.[name], { tarballSha256: image.tarballSha256, tarballBytes: image.tarballBytes });
    }
    assert.deepEqual(readdirSync(path.join(workDir, 'cache', 'images')).sort(),
      Object.values(built).map((image) => path.basename(image.tarballPath)).sort());
  });

  it('plans the grading and copy-up workloads on the grader image only, saying why not on tiny', () => {
    const manifest = JSON.parse(readFileSync(path.join(resultsDir, 'manifest.json'), 'utf8')) as Manifest;
    const skipped = manifest.cells.filter((cell) => !cell.feasible);
    assert.deepEqual(skipped.map((cell) => cell.id).sort(), ['runc.copy.ext4.tiny.copy-up.exec.c1', 'runc.copy.ext4.tiny.grade-c.exec.c1', 'runc.copy.ext4.tiny.grade-python.exec.c1']);
    assert.ok(skipped.every((cell) => /gcc|python3|large file/.test(cell.skipReason ?? '')), JSON.stringify(skipped));
    assert.equal(manifest.cells.filter((cell) => cell.feasible).length, manifest.cells.length - 3, 'every other workload × image is feasible');
  });

  it('runs every phase of every feasible cell successfully, the workload checked', () => {
    const manifest = JSON.parse(readFileSync(path.join(resultsDir, 'manifest.json'), 'utf8')) as Manifest;
    const samples = readFileSync(path.join(resultsDir, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Sample);
    const lines: string[] = [];
    for (const cell of manifest.cells.filter((candidate) => candidate.feasible)) {
      const cellSamples = samples.filter((sample) => sample.cellId === cell.id);
      assert.deepEqual(cellSamples.filter((sample) => !sample.ok).map((sample) => sample.error), [], cell.id);
      const phases: string[] = [...LIFECYCLE_PHASES];
      assert.deepEqual(cellSamples.map((sample) => sample.phase).filter((phase) => phases.includes(phase)), phases, cell.id);
      const ms = (phase: string) => cellSamples.find((sample) => sample.phase === phase)?.durationMs.toFixed(0).padStart(6);
      lines.push(`${cell.image.padEnd(6)} ${cell.workload.padEnd(12)} create ${ms('create')} ms  execute ${ms('execute')} ms  clean ${ms('clean')} ms`);
    }
    assert.ok(samples.filter((sample) => sample.phase === 'import-image').every((sample) => sample.ok));
    console.log(lines.map((line) => `      ${line}`).join('\n'));
  });

  it('leaves no loop device, mount, process or volume behind', () => {
    assert.deepEqual(leftovers(workDir), []);
  });
});
