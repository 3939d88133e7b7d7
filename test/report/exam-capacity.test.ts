import { strict as assert } from 'node:assert';
import { describeExamCapacity, examArrivalRatePerSecond, hostsForExam } from '../../pipeline/report/exam-capacity.ts';

const EXAM = { students: 300, submissionsPerStudent: 5, windowMinutes: 60 };

describe('examArrivalRatePerSecond()', () => {
  it('is S·K/(M·60): 300 students × 5 in 60 minutes is 1500 in 3600 s', () => {
    assert.equal(examArrivalRatePerSecond(EXAM), 1500 / 3600);
  });

  it('rejects a fractional student, no submissions and an empty window', () => {
    assert.throws(() => examArrivalRatePerSecond({ ...EXAM, students: 2.5 }), RangeError);
    assert.throws(() => examArrivalRatePerSecond({ ...EXAM, submissionsPerStudent: 0 }), RangeError);
    assert.throws(() => examArrivalRatePerSecond({ ...EXAM, windowMinutes: 0 }), RangeError);
  });
});

describe('hostsForExam()', () => {
  it('rounds up: 0.417/s on hosts that take 0.25/s each needs 2', () => {
    assert.equal(hostsForExam({ ...EXAM, maxSustainableRatePerSecond: 0.25 }), 2);
  });

  it('needs 5 hosts of 0.1/s and 1 host of 0.5/s', () => {
    assert.equal(hostsForExam({ ...EXAM, maxSustainableRatePerSecond: 0.1 }), 5);
    assert.equal(hostsForExam({ ...EXAM, maxSustainableRatePerSecond: 0.5 }), 1);
  });

  it('needs exactly k hosts when one takes exactly 1/k of the rate, despite rounding', () => {
    const rate = examArrivalRatePerSecond(EXAM);
    for (let k = 1; k <= 50; k++) assert.equal(hostsForExam({ ...EXAM, maxSustainableRatePerSecond: rate / k }), k, `k = ${k}`);
  });

  it('needs 15 hosts, not 16, for 210 students × 3 in 1 minute (10.5/s) on hosts of 0.7/s (10.5/0.7 = 15.000000000000002)', () => {
    assert.equal(hostsForExam({ students: 210, submissionsPerStudent: 3, windowMinutes: 1, maxSustainableRatePerSecond: 0.7 }), 15);
  });

  it('sizes a large exam: 2000 students × 3 in 30 minutes (3.33/s) on hosts of 1.2/s needs 3', () => {
    assert.equal(hostsForExam({ students: 2000, submissionsPerStudent: 3, windowMinutes: 30, maxSustainableRatePerSecond: 1.2 }), 3);
  });

  it('is null without a sustainable rate', () => {
    assert.equal(hostsForExam({ ...EXAM, maxSustainableRatePerSecond: null }), null);
    assert.equal(hostsForExam({ ...EXAM, maxSustainableRatePerSecond: 0 }), null);
  });
});

describe('describeExamCapacity()', () => {
  it('says how many hosts each runtime needs, in the order given', () => {
    const runtimes = [
      { runtime: 'runc', maxSustainableRatePerSecond: 0.25 },
      { runtime: 'runsc', maxSustainableRatePerSecond: 0.1 },
    ];
    assert.equal(
      describeExamCapacity(EXAM, runtimes, 30_000),
      'An exam of 300 students who submit 5 times each within 60 minutes (0.417 submissions a second) needs ' +
        '2 hosts like this one with runc and 5 with runsc to grade 95 % of submissions within 30 s.',
    );
  });

  it('writes one host in the singular and lists three runtimes with commas', () => {
    const runtimes = [
      { runtime: 'crun', maxSustainableRatePerSecond: 0.5 },
      { runtime: 'runc', maxSustainableRatePerSecond: 0.25 },
      { runtime: 'docker', maxSustainableRatePerSecond: 0.2 },
    ];
    assert.equal(
      describeExamCapacity({ students: 1, submissionsPerStudent: 1, windowMinutes: 1 }, runtimes),
      'An exam of 1 student who submits once each within 1 minute (0.0167 submissions a second) needs ' +
        '1 host like this one with crun, 1 with runc and 1 with docker.',
    );
  });

  it('names a runtime without a sustainable rate apart', () => {
    const runtimes = [
      { runtime: 'runc', maxSustainableRatePerSecond: 0.25 },
      { runtime: 'lxc', maxSustainableRatePerSecond: null },
    ];
    assert.match(describeExamCapacity(EXAM, runtimes, 800), /needs 2 hosts like this one with runc to grade 95 % of submissions within 800 ms; with lxc no tested rate was sustainable, so no number of hosts is known\.$/);
  });

  it('says so when no runtime can be sized', () => {
    assert.match(describeExamCapacity(EXAM, [{ runtime: 'runsc', maxSustainableRatePerSecond: null }]), /cannot be sized from this run: no tested rate was sustainable with runsc\.$/);
  });
});
