import { plural } from './format-numbers.ts';

/** An exam as the matrix declares it: S students, K submissions each, within M minutes. */
export interface ExamLoad {
  students: number;
  submissionsPerStudent: number;
  windowMinutes: number;
}

/** What one runtime on this host can take: its max sustainable rate (null if no tested rate was). */
export interface RuntimeCapacity {
  runtime: string;
  maxSustainableRatePerSecond: number | null;
}

function checkExam(exam: ExamLoad): void {
  const { students, submissionsPerStudent, windowMinutes } = exam;
  if (!(Number.isInteger(students) && students >= 1)) throw new RangeError(`an exam needs a whole number of students ≥ 1, not ${students}`);
  if (!(Number.isInteger(submissionsPerStudent) && submissionsPerStudent >= 1)) {
    throw new RangeError(`submissions per student must be a whole number ≥ 1, not ${submissionsPerStudent}`);
  }
  if (!(Number.isFinite(windowMinutes) && windowMinutes > 0)) throw new RangeError(`the exam window must be > 0 minutes, not ${windowMinutes}`);
}

/**
 * The arrival rate of an exam, S·K/(M·60) submissions per second: the mean over its window.
 * Submissions bunch before a deadline, so M should be the busiest stretch (the last 15
 * minutes, say), not the whole exam: the hosts are sized for this rate and no more.
 */
export function examArrivalRatePerSecond(exam: ExamLoad): number {
  checkExam(exam);
  return (exam.students * exam.submissionsPerStudent) / (exam.windowMinutes * 60);
}

/**
 * Hosts like this one that the exam needs, each taking at most its max sustainable rate:
 * ⌈rate / max sustainable rate⌉ (at least 1). null when no tested rate was sustainable, so no
 * number of hosts is known to suffice.
 */
export function hostsForExam(options: ExamLoad & { maxSustainableRatePerSecond: number | null }): number | null {
  const rate = examArrivalRatePerSecond(options);
  const capacity = options.maxSustainableRatePerSecond;
  if (capacity === null || !(capacity > 0)) return null;
  // A ratio that is whole up to rounding (2.0000000000000004) needs that many hosts, not one more.
  return Math.max(1, Math.ceil(rate / capacity - 1e-9));
}

/** "30 s", "2.5 s", "800 ms". */
function formatTarget(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toPrecision(3))} s` : `${Number(ms.toPrecision(3))} ms`;
}

/** "a", "a and b", "a, b and c". */
function listOf(parts: readonly string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * The sentence an operator acts on: "An exam of 300 students who submit 5 times each within 60
 * minutes (0.417 submissions a second) needs 2 hosts like this one with runc and 3 with runsc
 * to grade 95 % of submissions within 30 s." Runtimes keep the caller's order; one without a
 * sustainable rate is named apart, since no host count is known for it.
 */
export function describeExamCapacity(exam: ExamLoad, runtimes: readonly RuntimeCapacity[], sloP95Ms?: number): string {
  const rate = examArrivalRatePerSecond(exam);
  const who = exam.students === 1 ? 'student who submits' : 'students who submit';
  const times = exam.submissionsPerStudent === 1 ? 'once' : `${exam.submissionsPerStudent} times`;
  const minutes = plural(exam.windowMinutes, 'minute');
  const opening = `An exam of ${exam.students} ${who} ${times} each within ${minutes} (${Number(rate.toPrecision(3))} submissions a second)`;
  const target = sloP95Ms === undefined ? '' : ` to grade 95 % of submissions within ${formatTarget(sloP95Ms)}`;
  const planned = runtimes.flatMap(({ runtime, maxSustainableRatePerSecond }) => {
    const hosts = hostsForExam({ ...exam, maxSustainableRatePerSecond });
    return hosts === null ? [] : [{ runtime, hosts }];
  });
  const unplanned = runtimes.filter(({ runtime }) => !planned.some((plan) => plan.runtime === runtime)).map(({ runtime }) => runtime);
  if (planned.length === 0) return `${opening} cannot be sized from this run: no tested rate was sustainable with ${listOf(unplanned) || 'any runtime'}.`;
  const noRate = unplanned.length === 0 ? '' : `; with ${listOf(unplanned)} no tested rate was sustainable, so no number of hosts is known`;
  const [first, ...others] = planned as [{ runtime: string; hosts: number }];
  const clauses = [`${plural(first.hosts, 'host')} like this one with ${first.runtime}`, ...others.map(({ runtime, hosts }) => `${hosts} with ${runtime}`)];
  return `${opening} needs ${listOf(clauses)}${target}${noRate}.`;
}
