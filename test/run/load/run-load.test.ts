import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openNativeExecutor, type NativeExecutor } from '../../../pipeline/run/executor/native-executor.ts';
import { loadSeriesCell, loadStepKey, scheduleLoadSteps } from '../../../pipeline/run/load/load-series.ts';
import { monotonicNowMs, sleepUntilMonotonic } from '../../../pipeline/run/load/monotonic-clock.ts';
import { runOpenLoop } from '../../../pipeline/run/load/open-loop.ts';
import { serveSubmission } from '../../../pipeline/run/load/serve-submission.ts';
import type { Workload } from '../../../pipeline/run/workloads/workload.ts';
import { fakeRuntime } from '../fake-runtime.ts';

const okWorkload: Workload = { name: 'ok', argv: ['/bin/ok'], check: (record) => (record.stdout === 'ok\n' ? null : `expected ok, got ${JSON.stringify(record.stdout)}`) };
const LOAD = { image: 'grader', workload: 'inginious-task', lifecycle: 'command' as const };

describe('loadSeriesCell()', () => {
  it('makes a cell of a load target, with the runtime\'s usual driver and ext4 unless told', () => {
    assert.deepEqual(loadSeriesCell({ runtime: 'docker' }, LOAD, 2), {
      id: 'load.docker.overlay2.ext4.grader.inginious-task.command', groupId: 'docker.overlay2.ext4', runtime: 'docker', storageDriver: 'overlay2', filesystem: 'ext4',
      image: 'grader', workload: 'inginious-task', lifecycle: 'command', netns: 'fresh', cgroup: 'fresh', concurrency: 2,
    });
    assert.equal(loadSeriesCell({ runtime: 'docker+crun' }, LOAD, 2).storageDriver, 'overlay2');
    assert.equal(loadSeriesCell({ runtime: 'runc', storageDriver: 'btrfs-snapshot', filesystem: 'btrfs' }, LOAD, 1).groupId, 'runc.btrfs-snapshot.btrfs');
  });
});

describe('scheduleLoadSteps()', () => {
  it('orders repeat by repeat, series and rate steps shuffled by the seed, every step once', () => {
    const units = scheduleLoadSteps(['a', 'b', 'c'], 5, 2, 7);
    assert.deepEqual(units.map((unit) => unit.repeat), [0, 0, 0, 1, 1, 1]);
    for (const unit of units) assert.deepEqual([...unit.rateStepIndexes].sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual(scheduleLoadSteps(['a', 'b', 'c'], 5, 2, 7), units, 'the same seed gives the same order');
    const orders = new Set([1, 2, 3, 4, 5, 6].map((seed) => JSON.stringify(scheduleLoadSteps(['a', 'b', 'c'], 5, 1, seed))));
    assert.ok(orders.size > 1, 'another seed gives another order');
    assert.equal(loadStepKey('load.x', -1, 0), 'load.x/-1/0');
  });
});

describe('serveSubmission() in an open loop, with a fake runtime through the native executor', function () {
  this.timeout(60_000);
  let executor: NativeExecutor;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-load-'));
    executor = await openNativeExecutor({ scratchDir: dir });
  });
  after(async () => {
    await executor.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function groupOf(script: Parameters<typeof fakeRuntime>[0]) {
    const adapter = fakeRuntime(script);
    const runtime = await adapter.openGroup({ groupId: 'g', workDir: dir, mountpoint: dir, poolName: 'p', host: {} as never, runtime: 'fake', storageDriver: 'copy', limits: {} as never });
    return { adapter, runtime };
  }
  const spec = (id: string) => ({ id, image: 'tiny', dir: path.join(dir, id), workloadArgv: ['/bin/ok'], lifecycle: 'command' as const, netns: 'fresh' as const, cgroup: 'fresh' as const });

  it('serves a submission through the five phases, each step recorded, the folder removed', async () => {
    const { runtime } = await groupOf({ sleepS: { create: 0.02, launch: 0.01, execute: 0.03, stop: 0, clean: 0.01 } });
    const service = await serveSubmission({ runtime, executor, workload: okWorkload, spec: spec('s0'), phaseTimeoutMs: 5000, cancelled: () => false });
    assert.equal(service.ok, true, service.error);
    assert.ok((service.phasesMs.execute ?? 0) >= 30);
    assert.deepEqual([...new Set(service.steps.map((step) => step.phase))], ['create', 'launch', 'execute', 'stop', 'clean']);
    assert.equal(existsSync(path.join(dir, 's0')), false);
  });

  it('records a failed phase as the service\'s error and force-removes what it left', async () => {
    const { runtime, adapter } = await groupOf({ sleepS: { create: 0, launch: 0, execute: 0, stop: 0, clean: 0 }, failAt: { phase: 'launch', rep: -1 } });
    const service = await serveSubmission({ runtime, executor, workload: okWorkload, spec: spec('s1'), phaseTimeoutMs: 5000, cancelled: () => false });
    assert.equal(service.ok, false);
    assert.match(service.error ?? '', /^launch: /);
    assert.deepEqual(adapter.log.forceRemoved, ['s1']);
  });

  it('stops an abandoned submission between phases', async () => {
    const { runtime } = await groupOf({ sleepS: { create: 0.01, launch: 0, execute: 0, stop: 0, clean: 0 } });
    let asked = 0;
    const service = await serveSubmission({ runtime, executor, workload: okWorkload, spec: spec('s2'), phaseTimeoutMs: 5000, cancelled: () => ++asked > 1 });
    assert.match(service.error ?? '', /abandoned at the drain bound before launch/);
  });

  it('at a rate the fake cannot sustain, ends the step at arrivals + the drain bound, and every service still settles', async () => {
    const { runtime } = await groupOf({ sleepS: { create: 0, launch: 0, execute: 0.2, stop: 0, clean: 0 } });
    const cancelled = new Set<number>();
    const services: Promise<unknown>[] = [];
    const startMs = monotonicNowMs();
    const step = await runOpenLoop({
      intendedMs: Array.from({ length: 20 }, (_, i) => i * 20), slots: 1, warmupMs: 0, measuredMs: 400, maxDrainMs: 300,
      clock: monotonicNowMs, sleepUntil: sleepUntilMonotonic, cancelGraceMs: 0,
      serve: (submission) => {
        const service = serveSubmission({ runtime, executor, workload: okWorkload, spec: spec(`o${submission.index}`), phaseTimeoutMs: 5000, cancelled: () => cancelled.has(submission.index) });
        services.push(service);
        return service;
      },
      cancel: (submission) => {
        cancelled.add(submission.index);
      },
    });
    await Promise.allSettled(services);
    const elapsedMs = monotonicNowMs() - startMs;
    assert.equal(step.drained, false);
    assert.ok(step.records.some((entry) => entry.state === 'unserved'));
    assert.ok(step.records.filter((entry) => entry.state === 'ok').length >= 2);
    // 400 ms of arrivals, 300 ms of drain, one service of 200 ms still finishing: nowhere near 20 × 200 ms.
    assert.ok(elapsedMs < 1500, `the step took ${elapsedMs} ms`);
  });
});
