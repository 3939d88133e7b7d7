import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cgroupParentOf } from '../../provision/cgroups.ts';
import type { PhaseSample, Sample } from '../../pipeline/types.ts';
import { leftovers } from './host-leaks.ts';

const CLI = path.resolve('bin/crbench.js');

/** SOCK's levers on runc: a read-only bind root, a reused namespace, a reused cgroup, each with the limit probes. */
const MATRIX = `schemaVersion: 1
name: sock-it
parts:
  - name: levers
    axes: { runtime: [runc], storageDriver: [overlay], filesystem: [ext4], image: [tiny], workload: [noop, limit-memory, limit-pids, limit-network], lifecycle: [exec], netns: [fresh, reused], cgroup: [fresh, reused], concurrency: [1] }
  - name: side-by-side
    axes: { runtime: [runc], storageDriver: [overlay], filesystem: [ext4], image: [tiny], workload: [noop], lifecycle: [exec], netns: [reused, host], cgroup: [reused], concurrency: [4] }
  - name: bind
    axes: { runtime: [runc], storageDriver: [bind], filesystem: [ext4], image: [tiny], workload: [noop, limit-memory, limit-pids, limit-network], lifecycle: [exec, command], concurrency: [1] }
repetitions: 3
warmup: 1
volumeSizeMiB: 1024
phaseTimeoutMs: 60000
`;

/** Anything of the work directory's pools left on the host: namespace files, their mounts, cgroups. */
function poolLeftovers(workDir: string): string[] {
  const found: string[] = [];
  const pools = path.join(workDir, 'pools');
  if (existsSync(pools) && readdirSync(pools).length > 0) found.push(`pools: ${readdirSync(pools).join(', ')}`);
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    const tree = path.join('/sys/fs/cgroup', hierarchy, cgroupParentOf(workDir));
    if (existsSync(tree)) found.push(`cgroup ${tree}`);
  }
  if (readFileSync('/proc/mounts', 'utf8').includes(workDir)) found.push('a mount below the work directory');
  return found;
}

describe('SOCK levers on runc: bind root, reused namespaces and cgroups, the limits held, nothing left (root)', function () {
  this.timeout(900_000);
  let workDir: string;
  let samples: Sample[];
  const env = () => ({ ...process.env, CRBENCH_WORK_DIR: workDir });

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-sock-');
    writeFileSync(`${workDir}.yaml`, MATRIX);
    const run = spawnSync(process.execPath, [CLI, 'run', `${workDir}.yaml`, '--results', `${workDir}-results`], { encoding: 'utf8', env: env(), timeout: 800_000 });
    assert.equal(run.status, 0, run.stderr);
    samples = readFileSync(path.join(`${workDir}-results`, 'samples.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Sample);
  });
  after(() => {
    if (workDir === undefined) return;
    spawnSync(process.execPath, [CLI, 'teardown'], { env: env() });
    for (const dir of [workDir, `${workDir}-results`, `${workDir}-killed`, `${workDir}.yaml`]) rmSync(dir, { recursive: true, force: true });
  });

  it('measures every cell, and every limit probe passes under bind, a reused namespace and a reused cgroup', () => {
    const failed = samples.filter((sample) => !sample.ok).map((sample) => `${sample.cellId} ${sample.phase}: ${sample.error}`);
    assert.deepEqual(failed, []);
    for (const lever of ['.netns-reused.', '.cgroup-reused.', 'runc.bind.']) {
      for (const probe of ['limit-memory', 'limit-pids', 'limit-network']) {
        const executes = samples.filter((sample): sample is PhaseSample => sample.kind === 'phase' && sample.phase === 'execute' && sample.cellId.includes(lever) && sample.workload === probe);
        assert.ok(executes.length >= 3, `${lever} ${probe}: ${executes.length} executes`);
      }
    }
  });

  it('shows what giving the namespace and cgroup back to the pool costs in the steps of clean (taking one is bookkeeping, no step)', () => {
    const clean = samples.find((sample): sample is PhaseSample => sample.kind === 'phase' && sample.phase === 'clean' && sample.cellId.includes('.netns-reused.cgroup-reused.c1'));
    assert.ok(clean !== undefined);
    const labels = clean.steps.map((step) => step.label).join(', ');
    assert.ok(/netns/.test(labels) && /cgroup/.test(labels), labels);
  });

  it('leaves no namespace, cgroup, mount or file behind', () => {
    assert.deepEqual([...leftovers(workDir), ...poolLeftovers(workDir)], []);
  });

  it('and after a kill -9 while the pools exist, crbench teardown removes them all', async () => {
    const child = spawn(process.execPath, [CLI, 'run', `${workDir}.yaml`, '--results', `${workDir}-killed`], { env: env(), stdio: 'ignore' });
    const pools = path.join(workDir, 'pools');
    const deadline = Date.now() + 300_000;
    while (!(existsSync(pools) && readdirSync(pools).some((name) => !name.endsWith('.json')))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the run never made a pool');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const teardown = spawnSync(process.execPath, [CLI, 'teardown'], { encoding: 'utf8', env: env() });
    assert.equal(teardown.status, 0, teardown.stderr);
    assert.deepEqual([...leftovers(workDir), ...poolLeftovers(workDir)], []);
  });
});
