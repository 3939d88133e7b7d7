import { strict as assert } from 'node:assert';
import { summariseSetup } from '../../pipeline/analyse/summarise-setup.ts';
import type { Cell, Manifest, Sample, SetupStep } from '../../pipeline/types.ts';
import { loadResultsFixture } from '../fixtures/results/load-fixture.ts';
import { phaseSample, setupSample } from '../fixtures/results/make-sample.ts';

function cell(runtime: string, filesystem: string, image: string): Cell {
  return {
    id: `${runtime}-${filesystem}-${image}`, groupId: `${runtime}-${filesystem}`, runtime, storageDriver: 'copy', filesystem,
    image, workload: 'noop', lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency: 1, feasible: true,
  };
}

const cells = [cell('runc', 'ext4', 'tiny'), cell('runc', 'ext4', 'grader'), cell('crun', 'xfs', 'tiny')];
const { manifest: fixtureManifest } = loadResultsFixture();
const manifest: Manifest = {
  ...fixtureManifest,
  matrix: { ...fixtureManifest.matrix, axes: { ...fixtureManifest.matrix.axes, image: ['tiny', 'grader'] } },
  cells,
};

/** A setup sample as the run stage writes it: the group id as cellId, image '-' unless importing. */
function setup(groupId: string, step: SetupStep, durationMs: number, options: { image?: string; block?: number; error?: string } = {}): Sample {
  const [runtime, filesystem] = groupId.split('-') as [string, string];
  return setupSample(cell(runtime, filesystem, options.image ?? 'tiny'), step, durationMs, { image: '-', ...options });
}

describe('summariseSetup()', () => {
  it('gives the median and n of each step per group and image, over blocks, successful samples only', () => {
    const setupSamples = [
      setup('runc-ext4', 'provision-volume', 400, { block: 0 }),
      setup('runc-ext4', 'provision-volume', 500, { block: 1 }),
      setup('runc-ext4', 'provision-volume', 9000, { block: 2, error: 'mkfs failed' }),
      setup('runc-ext4', 'import-image', 90, { image: 'tiny', block: 0 }),
      setup('runc-ext4', 'import-image', 100, { image: 'tiny', block: 1 }),
      setup('runc-ext4', 'import-image', 2000, { image: 'grader', block: 0 }),
    ];
    const summary = summariseSetup(manifest, setupSamples);
    assert.deepEqual(
      summary.map((s) => [s.groupId, s.step, s.image, s.n, s.medianMs]),
      [
        ['runc-ext4', 'provision-volume', '-', 2, 450],
        ['runc-ext4', 'import-image', 'tiny', 2, 95],
        ['runc-ext4', 'import-image', 'grader', 1, 2000],
      ],
    );
    assert.deepEqual(summary[0], {
      groupId: 'runc-ext4', runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: '-', step: 'provision-volume', n: 2, medianMs: 450,
    });
  });

  it('orders groups as the manifest lists them, steps as they run, images as the matrix lists them, whatever the file order', () => {
    const summary = summariseSetup(manifest, [
      setup('crun-xfs', 'import-image', 80, { image: 'tiny' }),
      setup('runc-ext4', 'import-image', 2000, { image: 'grader' }),
      setup('runc-ext4', 'import-image', 90, { image: 'tiny' }),
      setup('crun-xfs', 'start-runtime', 12),
      setup('runc-ext4', 'start-runtime', 11),
      setup('runc-ext4', 'provision-volume', 400),
    ]);
    assert.deepEqual(summary.map((s) => `${s.groupId} ${s.step} ${s.image}`), [
      'runc-ext4 provision-volume -',
      'runc-ext4 start-runtime -',
      'runc-ext4 import-image tiny',
      'runc-ext4 import-image grader',
      'crun-xfs start-runtime -',
      'crun-xfs import-image tiny',
    ]);
  });

  it('leaves out a step that never succeeded, groups the manifest does not plan, and life-cycle phases', () => {
    const summary = summariseSetup(manifest, [
      setup('runc-ext4', 'provision-volume', 400, { error: 'mount: wrong fs type' }),
      setup('lxc-zfs', 'provision-volume', 400),
      phaseSample(cells[0]!, 'create', 5),
    ]);
    assert.deepEqual(summary, []);
  });
});
