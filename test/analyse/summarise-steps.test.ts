import { strict as assert } from 'node:assert';
import { factsOf, summariseSteps } from '../../pipeline/analyse/summarise-steps.ts';
import type { StepTiming } from '../../pipeline/types.ts';
import { metricSample, phaseSample, setupSample, type SampleCell } from '../fixtures/results/make-sample.ts';

const runc: SampleCell = { id: 'runc.copy.ext4.tiny.noop.exec.c1', groupId: 'runc.copy.ext4', runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop', concurrency: 1 };
const crun: SampleCell = { ...runc, id: 'crun.copy.ext4.tiny.noop.exec.c1', groupId: 'crun.copy.ext4', runtime: 'crun' };

/** A create of runc: copy the rootfs, the harness, runc create, the harness, a second runc step. */
function create(rep: number, copyMs: number, createMs: number, harnessMs: [number, number], options: { warmup?: boolean; error?: string } = {}) {
  const steps: StepTiming[] = [
    { label: 'rootfs: cp -a', durationMs: copyMs },
    { label: 'harness', durationMs: harnessMs[0] },
    { label: 'runc create', durationMs: createMs },
    { label: 'harness', durationMs: harnessMs[1] },
    { label: 'runc state', durationMs: 1 },
  ];
  return phaseSample(runc, 'create', steps.reduce((sum, step) => sum + step.durationMs, 0), { rep, steps, ...options });
}

describe('summariseSteps()', () => {
  it('gives the median of each step label over the measured samples, in the order the labels first ran', () => {
    const samples = [create(0, 4, 10, [0.1, 0.1]), create(1, 6, 30, [0.2, 0.2]), create(2, 5, 20, [0.3, 0.1])];
    assert.deepEqual(summariseSteps(samples).get(runc.id), {
      create: [
        { label: 'rootfs: cp -a', durationMs: 5 },
        // Summed per sample first (0.2, 0.4, 0.4), then the median.
        { label: 'harness', durationMs: 0.4 },
        { label: 'runc create', durationMs: 20 },
        { label: 'runc state', durationMs: 1 },
      ],
    });
  });

  it('sums a label that ran twice in one sample before taking the median, rather than taking each run as a sample', () => {
    // Per sample: harness 1 + 1 = 2, 2 + 2 = 4, 3 + 3 = 6; each run on its own (1, 1, 2, 2, 3, 3) would give 2.
    const samples = [create(0, 1, 1, [1, 1]), create(1, 1, 1, [2, 2]), create(2, 1, 1, [3, 3])];
    assert.deepEqual(summariseSteps(samples).get(runc.id)?.create?.find((step) => step.label === 'harness'), { label: 'harness', durationMs: 4 });
  });

  it('leaves out warm-ups, failed phases, setup steps and metrics', () => {
    const samples = [
      create(0, 5, 20, [0.1, 0.1]),
      create(0, 500, 2000, [9, 9], { warmup: true }),
      create(1, 500, 2000, [9, 9], { error: 'runc create: exit status 1' }),
      setupSample(runc, 'provision-volume', 400, { steps: [{ label: 'mkfs.ext4', durationMs: 400 }] }),
      metricSample(runc, 'makespan', 50),
    ];
    const steps = summariseSteps(samples);
    assert.deepEqual([...steps.keys()], [runc.id]);
    assert.deepEqual(steps.get(runc.id)?.create?.map((step) => step.durationMs), [5, 0.2, 20, 1]);
  });

  it('counts a label missing from a sample as 0 there, so a step that ran once in three does not look typical', () => {
    const withKill = phaseSample(runc, 'stop', 3, { rep: 0, steps: [{ label: 'runc kill', durationMs: 2 }, { label: 'harness', durationMs: 0.1 }, { label: 'init exit', durationMs: 0.9 }] });
    const samples = [withKill, ...[1, 2].map((rep) => phaseSample(runc, 'stop', 2, { rep, steps: [{ label: 'runc kill', durationMs: 2 }] }))];
    assert.deepEqual(summariseSteps(samples).get(runc.id)?.stop, [
      { label: 'runc kill', durationMs: 2 },
      { label: 'harness', durationMs: 0 },
      { label: 'init exit', durationMs: 0 },
    ]);
  });

  it('keeps cells apart and lists a cell\'s phases in life-cycle order, whatever the file order', () => {
    const samples = [
      phaseSample(crun, 'clean', 3, { steps: [{ label: 'crun delete', durationMs: 3 }] }),
      phaseSample(crun, 'create', 8),
      phaseSample(runc, 'launch', 7, { steps: [{ label: 'runc start', durationMs: 7 }] }),
    ];
    const steps = summariseSteps(samples);
    assert.deepEqual(Object.keys(steps.get(crun.id) ?? {}), ['create', 'clean']);
    assert.deepEqual(steps.get(runc.id), { launch: [{ label: 'runc start', durationMs: 7 }] });
  });
});

describe('factsOf()', () => {
  it('gives the facts of the last measured repetition that has them', () => {
    const samples = [
      phaseSample(runc, 'execute', 3, { rep: 0, facts: { seccomp: 2, capabilities: 14 } }),
      phaseSample(runc, 'execute', 3, { rep: 1, facts: { seccomp: 2, capabilities: 15 } }),
      phaseSample(runc, 'stop', 1, { rep: 1 }),
      phaseSample(runc, 'execute', 3, { rep: 0, warmup: true, facts: { seccomp: 0 } }),
    ];
    assert.deepEqual(factsOf(samples, runc.id), { seccomp: 2, capabilities: 15 });
  });

  it('gives nothing for a cell whose probe reported none, whatever other cells reported', () => {
    const samples = [phaseSample(runc, 'execute', 3), phaseSample(crun, 'execute', 3, { facts: { sandboxKilled: true } })];
    assert.equal(factsOf(samples, runc.id), undefined);
    assert.deepEqual(factsOf(samples, crun.id), { sandboxKilled: true });
  });
});
