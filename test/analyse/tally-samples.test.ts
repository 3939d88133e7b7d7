import { strict as assert } from 'node:assert';
import { durationsOf, tallyMeasuredSamples } from '../../pipeline/analyse/tally-samples.ts';
import { LIFECYCLE_PHASES, type LifecyclePhase, type Sample } from '../../pipeline/types.ts';
import { phaseSample, sampleOf, type SampleCell, type SampleOptions } from '../fixtures/results/make-sample.ts';

const c: SampleCell = { id: 'c', groupId: 'g', runtime: 'runc', storageDriver: 'copy', filesystem: 'ext4', image: 'tiny', workload: 'noop', concurrency: 1 };

function sample(phase: Sample['phase'], rep: number, durationMs: number, extra: SampleOptions = {}): Sample {
  // Every sample, setup steps too, under the cell's id: only its kind can keep a setup step out of the tally.
  return { ...sampleOf(c, phase, durationMs, { rep, ...extra }), cellId: 'c' };
}
/** One repetition: the five phases taking 1, 2, 3, 4, 5 ms times `scale`. */
const repetition = (rep: number, scale = 1, tweak: (phase: LifecyclePhase) => SampleOptions = () => ({})) =>
  LIFECYCLE_PHASES.map((phase, i) => sample(phase, rep, (i + 1) * scale, tweak(phase)));

describe('tallyMeasuredSamples()', () => {
  it('sums the five phases of each complete repetition into a total, in repetition order', () => {
    const tally = tallyMeasuredSamples([...repetition(1, 2), ...repetition(0, 1)]).get('c');
    assert.deepEqual(tally?.totalsMs, [15, 30]);
  });

  it('leaves out of the total a repetition with a failed phase, and one with a phase missing', () => {
    const samples = [
      ...repetition(0),
      ...repetition(1, 1, (phase) => (phase === 'stop' ? { error: 'kill failed' } : {})),
      ...repetition(2).filter((s) => s.phase !== 'clean'),
      ...repetition(3, 3),
    ];
    const tally = tallyMeasuredSamples(samples).get('c');
    assert.deepEqual(tally?.totalsMs, [15, 45]);
    // The phases keep every successful sample, failed repetitions or not.
    assert.deepEqual(durationsOf(tally, 'create'), [1, 1, 1, 3]);
    assert.equal(tally?.phases.get('stop')?.errors, 1);
  });

  it('leaves out a repetition with a phase recorded twice, rather than guess which one counts', () => {
    const samples = [...repetition(0), sample('launch', 0, 9)];
    assert.deepEqual(tallyMeasuredSamples(samples).get('c')?.totalsMs, []);
  });

  it('ignores warm-ups (numbered on their own) and setup steps', () => {
    const samples = [...repetition(0), ...repetition(0, 10, () => ({ warmup: true })), sample('provision-volume', 0, 400)];
    const tally = tallyMeasuredSamples(samples).get('c');
    assert.deepEqual(tally?.totalsMs, [15]);
    assert.deepEqual(durationsOf(tally, 'create'), [1]);
  });

  it('gives no durations for a cell or phase it never saw', () => {
    assert.deepEqual(durationsOf(undefined, 'total'), []);
    assert.deepEqual(durationsOf(tallyMeasuredSamples([sample('create', 0, 1)]).get('c'), 'launch'), []);
  });
});

describe('tallyMeasuredSamples() at concurrency above 1', () => {
  it('sums each container of a batch as a life cycle of its own, by repetition then slot', () => {
    const c4: SampleCell = { ...c, id: 'c4', storageDriver: 'overlay', concurrency: 2 };
    const at = (rep: number, slot: number, phase: (typeof LIFECYCLE_PHASES)[number], durationMs: number): Sample => phaseSample(c4, phase, durationMs, { rep, slot });
    const samples = [0, 1].flatMap((slot) => LIFECYCLE_PHASES.map((phase) => at(0, slot, phase, slot === 0 ? 1 : 10)));
    assert.deepEqual(tallyMeasuredSamples(samples).get('c4')?.totalsMs, [5, 50]);
  });
});
