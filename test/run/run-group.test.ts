import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openNativeExecutor, type NativeExecutor } from '../../pipeline/run/executor/native-executor.ts';
import { DEFAULT_LIMITS } from '../../pipeline/run/limits.ts';
import { runGroup } from '../../pipeline/run/run-group.ts';
import type { SampleSink } from '../../pipeline/run/sample-sink.ts';
import type { Cell, HostFacts, Sample } from '../../pipeline/types.ts';
import { fakeRuntime } from './fake-runtime.ts';

const cell = (workload: string, concurrency: number): Cell => ({
  id: `fake.copy.ext4.tiny.${workload}.exec.c${concurrency}`, groupId: 'fake.copy.ext4', runtime: 'fake', storageDriver: 'copy', filesystem: 'ext4',
  image: 'tiny', workload, lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency, feasible: true,
});

describe('runGroup() with a fake runtime', function () {
  this.timeout(60_000);
  let executor: NativeExecutor;
  let workDir: string;
  before(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-rungroup-'));
    executor = await openNativeExecutor({ scratchDir: workDir });
  });
  after(async () => {
    await executor.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('opens the runtime, imports the image once through the executor, runs every cell at N = 1 and N = 4, and closes', async () => {
    const adapter = fakeRuntime({ sleepS: { create: 0.01, launch: 0.01, execute: 0.01, stop: 0.01, clean: 0.01 }, output: '' });
    const samples: Sample[] = [];
    const sink: SampleSink = { batch: (batch) => samples.push(...batch), repetitionDone: () => undefined };
    const { outcomes, workarounds } = await runGroup({
      groupId: 'fake.copy.ext4', block: 0, cells: [{ cell: cell('noop', 1), firstRep: 0, reps: 2 }, { cell: cell('noop', 4), firstRep: 0, reps: 1 }],
      workDir, mountpoint: workDir, poolName: 'p', host: { cgroupMode: 'v2' } as HostFacts, imageTarballs: { tiny: '/unused.tar' },
      limits: DEFAULT_LIMITS, warmup: 1, phaseTimeoutMs: 10_000, executor, sink, signal: new AbortController().signal, adapter,
    });
    assert.deepEqual(Object.fromEntries(outcomes), {
      'fake.copy.ext4.tiny.noop.exec.c1': { measuredReps: 2, failedReps: 0 },
      'fake.copy.ext4.tiny.noop.exec.c4': { measuredReps: 1, failedReps: 0 },
    });
    assert.deepEqual(workarounds, ['a fake runtime: every phase is sleep']);
    assert.equal(adapter.log.closed, true);
    const imports = samples.filter((sample) => sample.phase === 'import-image');
    assert.equal(imports.length, 1);
    assert.ok(imports[0]?.kind === 'setup' && imports[0].ok && imports[0].steps?.[0]?.label === 'fake import');
    assert.equal(samples.filter((sample) => sample.phase === 'start-runtime').length, 1);
    assert.equal(samples.filter((sample) => sample.phase === 'makespan').length, 2 + 1 + 2, 'one per batch, warm-ups included');
    assert.equal(adapter.log.containers.length, (1 + 2) * 1 + (1 + 1) * 4);
  });

  it('records a runtime that does not open as a failed start-runtime and runs none of its cells', async () => {
    const adapter = { ...fakeRuntime({ sleepS: { create: 0, launch: 0, execute: 0, stop: 0, clean: 0 } }), openGroup: () => Promise.reject(new Error('no daemon today')) };
    const samples: Sample[] = [];
    const { outcomes } = await runGroup({
      groupId: 'fake.copy.ext4', block: 0, cells: [{ cell: cell('noop', 1), firstRep: 0, reps: 2 }], workDir, mountpoint: workDir, poolName: 'p',
      host: { cgroupMode: 'v2' } as HostFacts, imageTarballs: { tiny: '/unused.tar' }, limits: DEFAULT_LIMITS, warmup: 0, phaseTimeoutMs: 1_000,
      executor, sink: { batch: (batch) => samples.push(...batch), repetitionDone: () => undefined }, signal: new AbortController().signal, adapter,
    });
    assert.equal(outcomes.size, 0);
    assert.equal(samples.length, 1);
    assert.equal(samples[0]?.ok, false);
    assert.match(samples[0]?.error ?? '', /no daemon today/);
  });
});
