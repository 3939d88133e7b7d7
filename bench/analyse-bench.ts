/**
 * How long stage 6 takes on a large matrix: 200 cells × 5 phases × 100 repetitions
 * (100,000 samples, ~1,100 pairs of cells that differ in one axis, ~6,600 comparisons),
 * generated in memory, each phase in three steps (a runtime command, the harness, another),
 * then `analyseResults` (steps summarised too) and a `compareRuns` of two such runs timed.
 * Not a test: it prints the times. `npx tsx bench/analyse-bench.ts [--reps 100] [--runs 3]`.
 */
import { analyseResults } from '../pipeline/analyse/analyse-results.ts';
import { cellGroupId, cellId } from '../pipeline/plan/plan-cells.ts';
import { mulberry32 } from '../pipeline/statistics/seeded-random.ts';
import { compareRuns } from '../pipeline/compare/compare-runs.ts';
import { LIFECYCLE_PHASES, type Cell, type Manifest, type Sample } from '../pipeline/types.ts';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}
const repetitions = option('reps', 100);
const runs = option('runs', 3);

// 2 × 2 × 5 × 2 × 5 × 1 = 200 cells.
const axes: Manifest['matrix']['axes'] = {
  runtime: ['runc', 'crun'],
  storageDriver: ['copy', 'overlay'],
  filesystem: ['ext4', 'xfs', 'btrfs', 'f2fs', 'tmpfs'],
  image: ['tiny', 'grader'],
  workload: ['noop', 'python', 'gcc', 'java', 'io'],
  lifecycle: ['exec'],
  netns: ['fresh'],
  cgroup: ['fresh'],
  concurrency: [1],
};

const host: Manifest['host'] = {
  isRoot: true, kernel: '6.1.0', distribution: 'Debian GNU/Linux 12 (bookworm)', cpuModel: 'bench', cores: 2,
  memoryBytes: 2 ** 34, cgroupMode: 'hybrid', kernelFilesystems: [], binaries: {}, loopControl: true, kernelFeatures: [],
  vm: { usable: false, reason: 'bench' },
};

function buildRun(seed: number, slowdown: number): { manifest: Manifest; samples: Sample[] } {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const cells: Cell[] = [];
  for (const runtime of axes.runtime)
    for (const storageDriver of axes.storageDriver)
      for (const filesystem of axes.filesystem)
        for (const image of axes.image)
          for (const workload of axes.workload)
            for (const concurrency of axes.concurrency) {
              const combination = { runtime, storageDriver, filesystem, image, workload, lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency } as const;
              cells.push({ id: cellId(combination), groupId: cellGroupId(combination), ...combination, feasible: true });
            }
  const samples: Sample[] = [];
  for (const cell of cells) {
    const cellFactor = (cell.runtime === 'crun' ? 0.5 : 1) * (1 + axes.filesystem.indexOf(cell.filesystem) * 0.05) * slowdown;
    for (let rep = 0; rep < repetitions; rep++)
      LIFECYCLE_PHASES.forEach((phase, index) => {
        const outlier = random() < 0.03 ? 2 : 1;
        // Rounded to the microsecond, as measured durations are, so ties occur as in real data.
        const durationUs = Math.round((5 + 4 * index) * cellFactor * Math.exp(0.1 * normal()) * outlier * 1000);
        const firstUs = Math.round(durationUs * 0.4);
        const harnessUs = 50;
        const startMs = (rep * 100 + index * 20) * cellFactor;
        samples.push({
          schemaVersion: 2, kind: 'phase', cellId: cell.id, groupId: cell.groupId, runtime: cell.runtime, storageDriver: cell.storageDriver,
          filesystem: cell.filesystem, image: cell.image, workload: cell.workload, lifecycle: cell.lifecycle, netns: cell.netns, cgroup: cell.cgroup,
          concurrency: cell.concurrency, phase, block: 0, rep, warmup: false, durationMs: durationUs / 1000,
          steps: [
            { label: `${cell.runtime} ${phase}`, durationMs: firstUs / 1000 },
            { label: 'harness', durationMs: harnessUs / 1000 },
            { label: `rootfs ${phase}`, durationMs: (durationUs - firstUs - harnessUs) / 1000 },
          ],
          startMs, endMs: startMs + durationUs / 1000, ok: true, startedAt: '2025-11-20T00:00:00.000Z',
        });
      });
  }
  const matrix: Manifest['matrix'] = {
    schemaVersion: 1, name: 'bench', axes, repetitions, warmup: 0, blockRepetitions: repetitions,
    regressionThresholdPercent: 10, hosts: 'one', volumeSizeMiB: 1024, phaseTimeoutMs: 60000, seed,
  };
  const manifest: Manifest = {
    schemaVersion: 2, crbench: { version: 'bench', gitCommit: null, gitDirty: null }, matrixPath: 'bench.yaml', matrixSha256: '',
    matrix, host, toolVersions: {}, filesystems: {}, phaseCommands: {}, workarounds: {}, cells,
    startedAt: '2025-11-20T00:00:00.000Z', endedAt: null,
  } satisfies Manifest;
  return { manifest, samples };
}

const baseline = buildRun(1, 1);
const candidate = buildRun(2, 1.02);
console.log(`${baseline.samples.length} samples, ${baseline.manifest.cells.length} cells, ${repetitions} repetitions each`);
for (let run = 1; run <= runs; run++) {
  let startMs = performance.now();
  const summary = analyseResults({ ...baseline, setAsideLines: 0 });
  const analyseMs = performance.now() - startMs;
  startMs = performance.now();
  const report = compareRuns(baseline, candidate, { thresholdPercent: 10, seed: 1 });
  const compareMs = performance.now() - startMs;
  console.log(
    `run ${run}: analyseResults ${(analyseMs / 1000).toFixed(2)} s (${summary.comparisons.length} comparisons, ` +
      `${summary.bootstrap.resamples} resamples); compareRuns ${(compareMs / 1000).toFixed(2)} s (${report.rows.length} rows)`,
  );
}
