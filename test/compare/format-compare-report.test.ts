import { strict as assert } from 'node:assert';
import { compareRuns, type CompareReport, type CompareRow } from '../../pipeline/compare/compare-runs.ts';
import { formatCompareReport } from '../../pipeline/compare/format-compare-report.ts';
import { loadResultsFixture } from '../fixtures/results/load-fixture.ts';

function row(cellId: string, phase: CompareRow['phase'], fields: Partial<CompareRow>): CompareRow {
  return {
    cellId, phase, verdict: 'unchanged', missingIn: null, baselineN: 20, candidateN: 20, baselineMedianMs: 10, candidateMedianMs: 10,
    ratio: 1, ciLow: 0.95, ciHigh: 1.05, pValue: 0.5, effectSize: 0, minPValue: 1.45e-11, minAdjustedPValue: 1e-10, detectable: true, ...fields,
    adjustedPValue: 'adjustedPValue' in fields ? (fields.adjustedPValue ?? null) : 'pValue' in fields ? (fields.pValue ?? null) : 0.5,
  };
}

function report(rows: CompareRow[], extra: Partial<CompareReport> = {}): CompareReport {
  const counts = { regressed: 0, improved: 0, unchanged: 0, untestable: 0, missing: 0 };
  for (const r of rows) counts[r.verdict]++;
  return {
    baseline: { matrixName: 'chapter5', gitCommit: '3f9c2e71a04b5d6e', startedAt: '2025-11-20T09:14:03.512Z' },
    candidate: { matrixName: 'chapter5', gitCommit: null, startedAt: '2025-11-21T02:00:00.000Z' },
    thresholdPercent: 10, seed: 1, bootstrap: { resamples: 2000, confidence: 0.95 }, significanceLevel: 0.05, differences: [],
    rows, counts, ...extra,
  };
}

const rows = [
  row('runc.ext4', 'create', {}),
  row('runc.ext4', 'launch', { verdict: 'improved', baselineMedianMs: 7.476, candidateMedianMs: 5.1, ratio: 0.6822, ciLow: 0.61, ciHigh: 0.75, pValue: 0.00002 }),
  row('crun.xfs', 'execute', { verdict: 'regressed', baselineMedianMs: 8.4, candidateMedianMs: 10.2, ratio: 1.2143, ciLow: 1.12, ciHigh: 1.3, pValue: 0.0123 }),
  row('crun.xfs', 'stop', { verdict: 'missing', missingIn: 'candidate', candidateN: 1, candidateMedianMs: 2, ratio: null, ciLow: null, ciHigh: null, pValue: null, effectSize: null }),
  ...(['create', 'total'] as const).map((phase) =>
    row('crun.btrfs', phase, { verdict: 'missing', missingIn: 'baseline', baselineN: 0, baselineMedianMs: null, ratio: null, ciLow: null, ciHigh: null, pValue: null, effectSize: null }),
  ),
];

describe('formatCompareReport()', () => {
  const text = formatCompareReport(report(rows));
  const lines = text.split('\n');

  it('names both runs, then tabulates the changed metrics: regressed, improved, then missing, unchanged ones left out', () => {
    assert.deepEqual(lines.slice(0, 3), [
      'baseline:  chapter5 @3f9c2e7 (2025-11-20T09:14:03.512Z)',
      'candidate: chapter5 @unknown commit (2025-11-21T02:00:00.000Z)',
      '',
    ]);
    assert.deepEqual(lines.slice(3, 8).map((line) => line.split(/\s{2,}/)[0] + ' ' + line.split(/\s{2,}/)[1]), [
      'cell phase',
      'crun.xfs execute',
      'runc.ext4 launch',
      'crun.xfs stop',
      'crun.btrfs all phases',
    ]);
    assert.ok(!text.includes('runc.ext4  create'));
  });

  it('aligns the columns: numbers right-aligned under their heading, text left-aligned', () => {
    const [header, regressed, improved] = lines.slice(3, 6) as [string, string, string];
    assert.equal(regressed.indexOf('1.214') + '1.214'.length, header.indexOf('ratio') + 'ratio'.length);
    assert.equal(improved.indexOf('0.682') + '0.682'.length, header.indexOf('ratio') + 'ratio'.length);
    assert.equal(regressed.indexOf('[1.120, 1.300]'), header.indexOf('95% CI'));
    assert.equal(regressed.indexOf('regressed'), header.indexOf('verdict'));
    assert.match(regressed, /^crun\.xfs\s+execute\s+20\/20\s+8\.40\s+10\.20\s+1\.214\s+\[1\.120, 1\.300\]\s+0\.0123\s+regressed$/);
    assert.match(improved, /<0\.0001\s+improved$/);
  });

  it('says on which side a metric is missing, and folds a cell absent from one run into one line', () => {
    assert.match(lines[6]!, /^crun\.xfs\s+stop\s+20\/1\s+10\.00\s+2\.00\s+–\s+–\s+–\s+missing in candidate$/);
    assert.match(lines[7]!, /^crun\.btrfs\s+all phases(\s+–){6}\s+missing in baseline$/);
  });

  it('ends with one summary line: the counts and the rule applied', () => {
    assert.equal(
      lines.at(-2),
      '1 regressed, 1 improved, 1 unchanged, 0 not testable, 3 missing (threshold ±10%; changed = beyond it and Holm-adjusted p < 0.05 and the 95% CI ' +
        'of the ratio excludes 1; 2000 resamples, seed 1)',
    );
    assert.equal(lines.at(-1), '');
  });

  it('says when nothing changed, and lists what differs between the runs first', () => {
    const quiet = formatCompareReport(report([row('runc.ext4', 'create', {})], { differences: ['host.kernel: 6.1.0-28 → 6.1.0-30'] }));
    assert.equal(
      quiet,
      [
        'baseline:  chapter5 @3f9c2e7 (2025-11-20T09:14:03.512Z)',
        'candidate: chapter5 @unknown commit (2025-11-21T02:00:00.000Z)',
        '',
        'the runs differ in (a change may come from these):',
        '  host.kernel: 6.1.0-28 → 6.1.0-30',
        '',
        'no metric changed',
        '',
        '0 regressed, 0 improved, 1 unchanged, 0 not testable, 0 missing (threshold ±10%; changed = beyond it and Holm-adjusted p < 0.05 and the 95% CI of ' +
          'the ratio excludes 1; 2000 resamples, seed 1)',
        '',
      ].join('\n'),
    );
  });

  it('lists rows not testable after the improved ones and before the missing ones, counts them, and names their sizes', () => {
    const small = { baselineN: 3, candidateN: 3, minPValue: 0.1, minAdjustedPValue: 0.4, detectable: false, pValue: 0.1, adjustedPValue: 0.4 };
    const text = formatCompareReport(report([...rows, row('crun.ext4', 'launch', { verdict: 'untestable', ratio: 1.3, ...small })]));
    const verdicts = text.split('\n').slice(4, 9).map((line) => line.split(/\s{2,}/).at(-1));
    assert.deepEqual(verdicts, ['regressed', 'improved', 'not testable at n = 3 vs 3', 'missing in candidate', 'missing in baseline']);
    assert.match(text, /\n1 regressed, 1 improved, 1 unchanged, 1 not testable, 3 missing \(/);
    assert.match(text, /\n1 row was not testable at n = 3 vs 3 \(1 of them moved beyond ±10% undetectably; .* 0\.1000 at 3 vs 3\)/);
  });

  it('formats a real comparison of the fixture run with a copy whose crun launch got 30 % slower', () => {
    const baseline = loadResultsFixture();
    const candidate = loadResultsFixture();
    candidate.samples = candidate.samples.map((s) =>
      s.cellId === 'crun.bundle.ext4.busybox.true.exec.c1' && s.phase === 'launch' ? { ...s, durationMs: s.durationMs * 1.3 } : s,
    );
    const text = formatCompareReport(compareRuns(baseline, candidate, { thresholdPercent: 10, seed: 1 }));
    assert.match(text, /\ncrun\.bundle\.ext4\.busybox\.true\.exec\.c1\s+launch\s+20\/20\s+3\.27\s+4\.25\s+1\.300\s+\[1\.\d{3}, 1\.\d{3}\]\s+<0\.0001\s+regressed\n/);
    assert.match(text, /\n1 regressed, 0 improved, 29 unchanged, 0 not testable, 0 missing /);
  });
});
