import { strict as assert } from 'node:assert';
import { analyseResults } from '../../pipeline/analyse/analyse-results.ts';
import { summariseCellMetrics, summariseDaemons, tallyCellMetrics } from '../../pipeline/analyse/summarise-metrics.ts';
import type { Cell, Manifest, Sample } from '../../pipeline/types.ts';
import { loadResultsFixture } from '../fixtures/results/load-fixture.ts';
import { sampleOf } from '../fixtures/results/make-sample.ts';

const MIB = 2 ** 20;

function cell(runtime: string, concurrency: number, extra: Partial<Cell> = {}): Cell {
  return {
    id: `${runtime}.overlay.ext4.tiny.noop.c${concurrency}`, groupId: `${runtime}.overlay.ext4`, runtime, storageDriver: 'overlay',
    filesystem: 'ext4', image: 'tiny', workload: 'noop', lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency, feasible: true, ...extra,
  };
}

function manifestOf(cells: Cell[]): Manifest {
  const { manifest } = loadResultsFixture();
  return { ...manifest, matrix: { ...manifest.matrix, name: 'test', seed: 3 }, cells };
}

/** A duration (phases, makespan) or an amount in bytes (the other metrics), as the run stage writes it. */
function sample(of: Cell, phase: Sample['phase'], amount: number, options: { rep?: number; slot?: number; warmup?: boolean; ok?: boolean } = {}): Sample {
  return sampleOf(of, phase, amount, { ...options, ...(options.ok === false ? { error: 'failed' } : {}) });
}

describe('summariseCellMetrics()', () => {
  const four = cell('crun', 4);

  it('gives the throughput as N ÷ the median makespan: 4 containers in 800 ms are 5 per second', () => {
    const samples = [700, 800, 900, 2000, 750].map((ms, rep) => sample(four, 'makespan', ms, { rep }));
    const { batch } = summariseCellMetrics({ cellId: four.id, concurrency: 4 }, tallyCellMetrics(samples).get(four.id), 1);
    assert.ok(batch);
    assert.equal(batch.n, 5);
    assert.equal(batch.makespanMedianMs, 800);
    assert.equal(batch.throughputPerSecond, 5);
    assert.ok(batch.makespanCiLowMs <= 800 && batch.makespanCiHighMs >= 800 && batch.makespanCiHighMs <= 2000);
  });

  it('leaves warm-ups out and draws the same interval for the same seed, whatever the file order', () => {
    const samples = [...[700, 800, 900, 1000].map((ms, rep) => sample(four, 'makespan', ms, { rep })), sample(four, 'makespan', 9000, { warmup: true })];
    const a = summariseCellMetrics({ cellId: four.id, concurrency: 4 }, tallyCellMetrics(samples).get(four.id), 1);
    const b = summariseCellMetrics({ cellId: four.id, concurrency: 4 }, tallyCellMetrics([...samples].reverse()).get(four.id), 1);
    assert.deepEqual(a, b);
    assert.equal(a.batch?.makespanMedianMs, 850);
    assert.equal(a.batch?.n, 4);
  });

  it('takes the median and the maximum of the peak memory of every container (slot) and the median disk usage', () => {
    const one = cell('runc', 1);
    const samples = [
      ...[3, 1, 2, 9].map((mib, slot) => sample(four, 'peak-memory', mib * MIB, { slot })),
      ...[4096, 8192, 12288].map((bytes, rep) => sample(one, 'disk-usage', bytes, { rep })),
      sample(one, 'disk-usage', 999 * MIB, { warmup: true }),
    ];
    const tally = tallyCellMetrics(samples);
    const ofFour = summariseCellMetrics({ cellId: four.id, concurrency: 4 }, tally.get(four.id), 1);
    assert.deepEqual(ofFour, { memory: { n: 4, peakMedianBytes: 2.5 * MIB, peakMaxBytes: 9 * MIB } });
    assert.deepEqual(summariseCellMetrics({ cellId: one.id, concurrency: 1 }, tally.get(one.id), 1), { disk: { n: 3, medianBytes: 8192 } });
  });

  it('adds no field for a cell without such samples (docker, whose cgroup crbench cannot reach)', () => {
    assert.deepEqual(summariseCellMetrics({ cellId: 'x', concurrency: 1 }, undefined, 1), {});
  });
});

describe('summariseDaemons()', () => {
  it('gives the median daemon memory of each group over its blocks, in manifest order; daemonless groups are absent', () => {
    const docker = cell('docker', 1, { storageDriver: 'overlay2', groupId: 'docker.overlay2.ext4', id: 'd' });
    const crun = cell('crun', 1);
    const samples = [
      { ...sample(docker, 'runtime-rss', 100 * MIB), block: 0 },
      { ...sample(docker, 'runtime-rss', 110 * MIB), block: 1 },
      { ...sample(docker, 'runtime-rss', 90 * MIB), block: 2 },
    ];
    assert.deepEqual(summariseDaemons(manifestOf([crun, docker]), samples), [
      { groupId: 'docker.overlay2.ext4', runtime: 'docker', storageDriver: 'overlay2', filesystem: 'ext4', n: 3, rssMedianBytes: 100 * MIB },
    ]);
  });
});

describe('analyseResults() with batch, memory, disk and daemon samples', () => {
  it('puts them on the cells and the summary, and leaves the phase statistics as they were', () => {
    const one = cell('runc', 1);
    const phases = (['create', 'launch', 'execute', 'stop', 'clean'] as const).map((phase, i) => sample(one, phase, i + 1));
    const plain = analyseResults({ manifest: manifestOf([one]), samples: phases, setAsideLines: 0 });
    const withMetrics = analyseResults({
      manifest: manifestOf([one]),
      samples: [...phases, sample(one, 'makespan', 16), sample(one, 'disk-usage', 4096), sample(one, 'peak-memory', MIB), sample(one, 'runtime-rss', 5 * MIB)],
      setAsideLines: 0,
    });
    assert.deepEqual(withMetrics.cells[0]?.phases, plain.cells[0]?.phases);
    assert.equal(withMetrics.cells[0]?.batch?.throughputPerSecond, 1000 / 16);
    assert.deepEqual(withMetrics.cells[0]?.disk, { n: 1, medianBytes: 4096 });
    assert.deepEqual(withMetrics.cells[0]?.memory, { n: 1, peakMedianBytes: MIB, peakMaxBytes: MIB });
    assert.equal(withMetrics.daemons[0]?.rssMedianBytes, 5 * MIB);
    assert.deepEqual(plain.daemons, []);
    assert.deepEqual(plain.limits, []);
  });
});
