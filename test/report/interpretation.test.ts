import { strict as assert } from 'node:assert';
import { buildInterpretationSection, ComparisonSentences } from '../../pipeline/report/build-interpretation-section.ts';
import type { Comparison, Summary } from '../../pipeline/types.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';
import { plain, textOf } from './report-fixture.ts';

const { summary } = loadSummaryPair('chapter5');

/** A comparison between two chapter5 cells, runc the baseline. */
function comparison(overrides: Partial<Comparison>): Comparison {
  return {
    phase: 'launch',
    axis: 'runtime',
    baselineCellId: 'runc.copy.ext4.tiny.noop.exec.c1',
    candidateCellId: 'crun.copy.ext4.tiny.noop.exec.c1',
    baselineValue: 'runc',
    candidateValue: 'crun',
    ratio: 1 / 2.7,
    ciLow: 1 / 2.9,
    ciHigh: 1 / 2.5,
    pValue: 0.00001,
    pAdjusted: 0.00001,
    effectSize: -1,
    significant: true,
    ...overrides,
  };
}

describe('ComparisonSentences', () => {
  const sentences = new ComparisonSentences(summary);
  const say = (comparisons: Comparison[]) => sentences.about(comparisons).map(plain);

  it('states a significant difference as the faster side’s factor, with its interval and p', () => {
    assert.deepEqual(say([comparison({})]), ['crun launches 2.70× faster than runc on ext4 (95% CI 2.50–2.90×, p < 0.001).']);
  });

  it('turns a slower candidate round: the faster one is named first', () => {
    assert.deepEqual(say([comparison({ ratio: 1.3, ciLow: 1.2, ciHigh: 1.41, pValue: 0.0123 })]), ['runc launches 1.30× faster than crun on ext4 (95% CI 1.20–1.41×, p = 0.012).']);
  });

  it('says "no significant difference" when the test says so, with the ratio', () => {
    assert.deepEqual(say([comparison({ ratio: 1.02, ciLow: 0.97, ciHigh: 1.08, pValue: 0.41, significant: false })]), [
      'No significant difference between crun and runc in launching on ext4 (ratio 1.02, 95% CI 0.970–1.08, p = 0.41).',
    ]);
  });

  it('lists a few configurations one by one, and splits them by outcome', () => {
    const xfs = { baselineCellId: 'runc.copy.xfs.tiny.noop.exec.c1', candidateCellId: 'crun.copy.xfs.tiny.noop.exec.c1' };
    const btrfs = { baselineCellId: 'runc.copy.btrfs.tiny.noop.exec.c1', candidateCellId: 'crun.copy.btrfs.tiny.noop.exec.c1' };
    assert.deepEqual(say([comparison({}), comparison(xfs), comparison({ ...btrfs, ratio: 0.99, ciLow: 0.9, ciHigh: 1.1, pValue: 0.5, significant: false })]), [
      'crun launches faster than runc: 2.70× on ext4 (95% CI 2.50–2.90×, p < 0.001) and 2.70× on xfs (95% CI 2.50–2.90×, p < 0.001).',
      'No significant difference between crun and runc in launching on btrfs (ratio 0.990, 95% CI 0.900–1.10, p = 0.50).',
    ]);
  });

  it('sums up many configurations as a range', () => {
    const many = [2.1, 2.2, 2.3, 2.4, 2.6].map((factor, i) => comparison({ ratio: 1 / factor, pValue: i === 0 ? 0.002 : 0.0001 }));
    assert.deepEqual(say(many), ['crun launches faster than runc in all 5 configurations compared: 2.10–2.60×, each 95% CI excluding 1, largest p = 0.002.']);
  });

  it('names phases other than launch, and axes other than runtime, in words', () => {
    const fs = comparison({
      axis: 'filesystem', phase: 'create', baselineValue: 'ext4', candidateValue: 'btrfs',
      baselineCellId: 'crun.copy.ext4.tiny.noop.exec.c1', candidateCellId: 'crun.copy.btrfs.tiny.noop.exec.c1', ratio: 1.05, ciLow: 1.02, ciHigh: 1.12, pValue: 0.003,
    });
    assert.deepEqual(say([fs]), ['Creating is 1.05× faster on ext4 than on btrfs under crun (95% CI 1.02–1.12×, p = 0.003).']);
    assert.deepEqual(say([comparison({ phase: 'total' })]), ['crun completes the whole life cycle 2.70× faster than runc on ext4 (95% CI 2.50–2.90×, p < 0.001).']);
  });

  it('marks every number as a statistic, named by axis, values, context and phase', () => {
    const spans = sentences.about([comparison({})])[0] ?? [];
    assert.deepEqual(spans.filter((span) => span.stat).map((span) => span.stat?.join(' ')), [
      'cmp runtime crun vs runc ext4 launch factor',
      'cmp runtime crun vs runc ext4 launch factor low',
      'cmp runtime crun vs runc ext4 launch factor high',
      'cmp runtime crun vs runc ext4 launch p',
    ]);
  });
});

describe('buildInterpretationSection()', () => {
  it('groups the sentences by axis, the whole life cycle before the phases', () => {
    const blocks = buildInterpretationSection(summary);
    assert.deepEqual(blocks.filter((b) => b.kind === 'heading').map((b) => (b.kind === 'heading' ? b.text : '')), ['Interpretation', 'Runtime', 'Filesystem']);
    const runtime = blocks[3];
    assert.ok(runtime?.kind === 'list');
    assert.match(plain(runtime.items[0] ?? []), /^crun completes the whole life cycle faster than runc: /);
  });

  it('says there is nothing to compare when the summary holds no comparison', () => {
    const none: Summary = { ...summary, comparisons: [] };
    assert.match(textOf(buildInterpretationSection(none)).at(-1) ?? '', /^No two measured configurations differ in a single axis/);
  });
});
