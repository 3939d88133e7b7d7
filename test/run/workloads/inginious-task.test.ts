import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StepRecord } from '../../../pipeline/run/executor/steps.ts';
import { answerFile, parseStudentRequest, requestFile, watchStudentRequests, writeStudentAnswer } from '../../../pipeline/run/workloads/inginious-task-agent.ts';
import {
  GRADING_RUN_LABEL, gradingMounts, prefixSteps, splitAroundStudents, studentMounts, submissionPaths, taskCopySteps,
} from '../../../pipeline/run/workloads/inginious-task-plan.ts';
import { describeInginiousPhases, inginiousTaskC, inginiousTaskPython } from '../../../pipeline/run/workloads/inginious-task.ts';
import { WORKLOADS } from '../../../pipeline/run/workloads/index.ts';
import { GRADE_C_OUTPUT } from '../../../pipeline/run/workloads/grade-c.ts';
import { GRADE_PYTHON_OUTPUT } from '../../../pipeline/run/workloads/grade-python.ts';
import { record } from '../runtimes/step-fixtures.ts';

const at = (label: string, startMs: number, endMs: number): StepRecord => record({ label, startMs, endMs, durationMs: endMs - startMs });
const sum = (records: readonly StepRecord[]) => records.reduce((total, entry) => total + entry.durationMs, 0);

describe('the inginious-task workloads', () => {
  it('are registered, and run the task\'s INGInious entry point in the grading container', () => {
    assert.equal(WORKLOADS['inginious-task'], inginiousTaskC);
    assert.equal(WORKLOADS['inginious-task-python'], inginiousTaskPython);
    assert.deepEqual(inginiousTaskC.argv, ['/bin/sh', '/task/inginious-run']);
    assert.ok(inginiousTaskC.plan !== undefined && inginiousTaskC.describePhases !== undefined);
  });

  it('count exactly the expected score, and any failure of the submission\'s plan', () => {
    const graded = (stdout: string) => ({ argv: [], durationMs: 1, exitCode: 0, signal: null, stdout, stderr: '' });
    assert.equal(inginiousTaskC.check(graded(GRADE_C_OUTPUT)), null);
    assert.equal(inginiousTaskPython.check(graded(GRADE_PYTHON_OUTPUT)), null);
    assert.match(inginiousTaskC.check(graded('score: 10/10\n')) ?? '', /unexpected output/);
    assert.equal(inginiousTaskPython.check({ ...graded(''), failure: 'the student container: refused' }), 'the student container: refused');
  });

  it('describe every phase from the runtime\'s command-shape texts', () => {
    const texts = describeInginiousPhases({ create: 'C', launch: 'L', execute: 'E', stop: 'S', clean: 'X' });
    assert.match(texts.create, /cp -R the task.*then the grading container: C/);
    assert.match(texts.launch, /^nothing/);
    assert.match(texts.execute, /grading start \(L\).*student create, student start.*student remove.*the rest of E/);
    assert.match(texts.clean, /X; then rm -rf/);
  });
});

describe('the submission\'s folders and mounts', () => {
  const paths = submissionPaths({ dir: '/v/containers/s1' });

  it('mount the task read-write at /task, the sockets at /sockets, $common read-only; the student folder alone in the student container', () => {
    assert.deepEqual(gradingMounts(paths), [
      { source: '/v/containers/s1/submission/task', destination: '/task', readonly: false },
      { source: '/v/containers/s1/submission/sockets', destination: '/sockets', readonly: false },
      { source: '/v/containers/s1/submission/course/common', destination: '/course/common', readonly: true },
    ]);
    assert.deepEqual(studentMounts(paths), [{ source: '/v/containers/s1/submission/task/student', destination: '/task/student', readonly: false }]);
  });

  it('are made on the host by timed steps: mkdir, copy of the task, copy of $common', () => {
    const steps = taskCopySteps({ taskSourceDir: '/repo/workloads/grade-c', commonSourceDir: '/repo/workloads/inginious-task/$common', gradingArgv: [] }, paths);
    assert.deepEqual(steps.map((step) => (step.kind === 'run' ? [step.label, ...step.argv] : [])), [
      ['task: mkdir', 'mkdir', '-p', '-m', '0777', paths.root, paths.sockets, paths.course],
      ['task: copy', 'cp', '-R', '/repo/workloads/grade-c', paths.task],
      ['task: copy $common', 'cp', '-R', '/repo/workloads/inginious-task/$common', paths.common],
    ]);
  });
});

describe('prefixSteps()', () => {
  it('prefixes every label, a later step\'s built step too', () => {
    const [plain, later] = prefixSteps([
      { kind: 'run', label: 'runc create', argv: ['runc'] },
      { kind: 'later', label: 'POST /exec/start', build: () => ({ kind: 'run', label: 'POST /exec/start', argv: ['x'] }) },
    ], 'student create');
    assert.equal(plain?.label, 'student create: runc create');
    assert.ok(later?.kind === 'later');
    assert.equal(later.label, 'student create: POST /exec/start');
    assert.equal(later.build([]).label, 'student create: POST /exec/start');
  });
});

describe('splitAroundStudents()', () => {
  it('cuts the grading wait around the student steps, so the entries are disjoint and sum to the phase', () => {
    const grading = [at('grading start: runc start', 0, 5), at('grading exit: workload exit', 5, 300), at('grading exit: GET logs', 300, 302)];
    const students = [at('student create: runc create', 80, 130), at('student start: runc start', 131, 140), at('student run: workload exit', 141, 150), at('student remove: runc delete', 151, 160)];
    const split = splitAroundStudents(grading, students);
    assert.deepEqual(split.map((entry) => entry.label), [
      'grading start: runc start', GRADING_RUN_LABEL, ...students.map((entry) => entry.label), 'grading exit: workload exit', 'grading exit: GET logs',
    ]);
    assert.deepEqual(split.map((entry) => [entry.startMs, entry.endMs]).slice(1, 2), [[5, 80]]);
    assert.deepEqual([split.at(-2)?.startMs, split.at(-2)?.endMs], [160, 300]);
    for (let i = 1; i < split.length; i += 1) assert.ok(split[i]!.startMs >= split[i - 1]!.endMs, `${split[i]!.label} overlaps`);
    // The three gaps between student steps are the harness entries stepTimings adds: 3 ms.
    assert.equal(sum(split) + 3, 302);
  });

  it('cuts a start still in flight when the grader asked (Docker\'s POST start), and gives a record inside the span to the students', () => {
    const grading = [at('grading start: POST /containers/start', 0, 185), at('grading exit: POST /containers/wait', 185, 600), at('grading exit: GET logs', 600, 601)];
    const students = [at('student create: POST /containers/create', 60, 80), at('student remove: DELETE /containers', 390, 400)];
    const split = splitAroundStudents(grading, students);
    assert.deepEqual(split.map((entry) => [entry.label, entry.startMs, entry.endMs]), [
      ['grading start: POST /containers/start', 0, 60], ['student create: POST /containers/create', 60, 80], ['student remove: DELETE /containers', 390, 400],
      ['grading exit: POST /containers/wait', 400, 600], ['grading exit: GET logs', 600, 601],
    ]);
    // The gap between the two student steps (310 ms) is the harness entry stepTimings adds.
    assert.equal(sum(split) + 310, 601);
  });

  it('leaves the grading records as they are without a student step', () => {
    const grading = [at('grading exit: workload exit', 0, 10)];
    assert.deepEqual(splitAroundStudents(grading, []), grading);
  });
});

describe('the agent\'s request and answer files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-agent-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a request\'s argv, and says why a request cannot be read', () => {
    assert.deepEqual(parseStudentRequest(0, '{"argv": ["/task/student/driver"]}'), { index: 0, argv: ['/task/student/driver'] });
    assert.match((parseStudentRequest(1, 'nope') as { error: string }).error, /not JSON/);
    assert.match((parseStudentRequest(2, '{"argv": []}') as { error: string }).error, /no argv/);
  });

  it('hands out requests already there and those that arrive, in index order, once each, until closed', async () => {
    writeFileSync(requestFile(dir, 1), '{"argv": ["b"]}');
    writeFileSync(requestFile(dir, 0), '{"argv": ["a"]}');
    const watcher = watchStudentRequests(dir);
    assert.deepEqual(await watcher.next(), { index: 0, argv: ['a'] });
    assert.deepEqual(await watcher.next(), { index: 1, argv: ['b'] });
    const third = watcher.next();
    writeFileSync(`${requestFile(dir, 2)}.tmp`, '{"argv": ["c"]}');
    mkdirSync(path.join(dir, 'not-a-request'));
    writeFileSync(requestFile(dir, 2), '{"argv": ["c"]}');
    assert.deepEqual(await third, { index: 2, argv: ['c'] });
    const pending = watcher.next();
    watcher.close();
    assert.equal(await pending, undefined);
  });

  it('writes the answer whole, where the grader polls for it', () => {
    writeStudentAnswer(dir, 3, { retval: 0, stdout: 'factorial(5)\t120\n', stderr: '' });
    assert.deepEqual(JSON.parse(readFileSync(answerFile(dir, 3), 'utf8')), { retval: 0, stdout: 'factorial(5)\t120\n', stderr: '' });
  });
});
