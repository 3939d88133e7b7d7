import { strict as assert } from 'node:assert';
import { answerQuestions, judge, type MetricSeriesOf } from '../../pipeline/analyse/answer-questions.ts';
import { buildDurationSeries } from '../../pipeline/analyse/compare-series.ts';
import { deriveSeed } from '../../pipeline/statistics/seeded-random.ts';
import type { CellSummary, QuestionSpec } from '../../pipeline/types.ts';

function cell(runtime: string, filesystem: string, extra: Partial<CellSummary> = {}): CellSummary {
  return {
    cellId: `${runtime}.${filesystem}`,
    runtime,
    storageDriver: 'overlay',
    filesystem,
    image: 'tiny',
    workload: 'noop',
    lifecycle: 'exec',
    netns: 'fresh',
    cgroup: 'fresh',
    concurrency: 1,
    phases: {},
    totalMedianMs: 0,
    ...extra,
  };
}

/** Durations around `medianMs`, spread ±5 %, distinct so the exact test applies. */
function around(medianMs: number, n = 8): number[] {
  return Array.from({ length: n }, (_, i) => medianMs * (0.95 + (0.1 * i) / (n - 1)));
}

function seriesFrom(medians: Record<string, number>, n = 8): MetricSeriesOf {
  return (cellId) => (medians[cellId] === undefined ? undefined : buildDurationSeries(around(medians[cellId]!, n), { seed: deriveSeed(1, cellId), resamples: 400 }));
}

const crunFaster: QuestionSpec = {
  id: 'crun-vs-runc',
  title: 'Is crun faster than runc?',
  hypothesis: 'crun is faster than runc',
  metric: 'total',
  baseline: { runtime: ['runc'] },
  candidate: { runtime: ['crun'] },
  pairBy: ['filesystem'],
  expect: 'faster',
};

describe('answerQuestions()', () => {
  const cells = [cell('runc', 'ext4'), cell('crun', 'ext4'), cell('runc', 'xfs'), cell('crun', 'xfs')];

  it('pairs the cells that agree on the paired axes and takes the geometric mean of their ratios', () => {
    const [answer] = answerQuestions([crunFaster], cells, seriesFrom({ 'runc.ext4': 100, 'crun.ext4': 50, 'runc.xfs': 100, 'crun.xfs': 80 }));
    assert.equal(answer!.pairs.length, 2);
    assert.deepEqual(answer!.pairs.map((pair) => pair.baselineCellId), ['runc.ext4', 'runc.xfs']);
    assert.ok(Math.abs(answer!.ratio - Math.sqrt(0.5 * 0.8)) < 1e-9);
    assert.ok(answer!.ciLow < answer!.ratio && answer!.ratio < answer!.ciHigh);
  });

  it('calls a clear difference in the expected direction supported', () => {
    const [answer] = answerQuestions([crunFaster], cells, seriesFrom({ 'runc.ext4': 100, 'crun.ext4': 50, 'runc.xfs': 100, 'crun.xfs': 55 }));
    assert.equal(answer!.verdict, 'supported');
    assert.ok(answer!.pAdjusted < 0.05);
  });

  it('calls a clear difference in the other direction not supported', () => {
    const [answer] = answerQuestions([crunFaster], cells, seriesFrom({ 'runc.ext4': 50, 'crun.ext4': 100, 'runc.xfs': 50, 'crun.xfs': 100 }));
    assert.equal(answer!.verdict, 'not supported');
  });

  it('calls a question without measured cells inconclusive and says why', () => {
    const [answer] = answerQuestions([{ ...crunFaster, candidate: { runtime: ['youki'] } }], cells, seriesFrom({ 'runc.ext4': 100 }));
    assert.equal(answer!.verdict, 'inconclusive');
    assert.match(answer!.note!, /no candidate cell was measured/);
    assert.equal(answer!.pairs.length, 0);
  });

  it('adjusts the p-values across the declared questions (Holm): the family never gets a smaller p than one alone', () => {
    const medians = { 'runc.ext4': 100, 'crun.ext4': 90, 'runc.xfs': 100, 'crun.xfs': 91 };
    const [alone] = answerQuestions([crunFaster], cells, seriesFrom(medians));
    const family = answerQuestions([crunFaster, { ...crunFaster, id: 'again' }, { ...crunFaster, id: 'third' }], cells, seriesFrom(medians));
    assert.ok(family[0]!.pAdjusted >= alone!.pAdjusted);
    assert.ok(Math.abs(family[0]!.pAdjusted - Math.min(1, 3 * alone!.pValue)) < 1e-12);
  });

  it('leaves the isolation probes out of both sides', () => {
    const probed = [cell('runc', 'ext4', { probe: 'memory' }), cell('crun', 'ext4')];
    const [answer] = answerQuestions([crunFaster], probed, seriesFrom({ 'runc.ext4': 100, 'crun.ext4': 50 }));
    assert.equal(answer!.pairs.length, 0);
  });
});

describe('judge()', () => {
  const n = { baseline: 6, candidate: 6 };

  it('supports a claimed factor only when the whole interval lies beyond it', () => {
    assert.equal(judge({ expect: 'faster', factor: 0.5 }, { ciLow: 0.3, ciHigh: 0.45, n }, 0.001).verdict, 'supported');
    assert.equal(judge({ expect: 'faster', factor: 0.5 }, { ciLow: 0.4, ciHigh: 0.6, n }, 0.001).verdict, 'inconclusive');
    assert.equal(judge({ expect: 'faster', factor: 0.5 }, { ciLow: 0.7, ciHigh: 0.8, n }, 0.001).verdict, 'not supported');
  });

  it('does not support "faster" when the interval lies within 5 % of 1', () => {
    const { verdict, note } = judge({ expect: 'faster' }, { ciLow: 0.97, ciHigh: 1.03, n }, 0.6);
    assert.equal(verdict, 'not supported');
    assert.match(note!, /no difference/);
  });

  it('leaves a wide interval around 1 inconclusive at this n', () => {
    const { verdict, note } = judge({ expect: 'faster' }, { ciLow: 0.7, ciHigh: 1.2, n }, 0.3);
    assert.equal(verdict, 'inconclusive');
    assert.match(note!, /n = 6 vs 6/);
  });

  it('needs both the adjusted p and the interval (the one rule): a small p with an interval across 1 is not significant', () => {
    assert.equal(judge({ expect: 'faster' }, { ciLow: 0.8, ciHigh: 1.01, n }, 0.001).verdict, 'inconclusive');
  });
});
