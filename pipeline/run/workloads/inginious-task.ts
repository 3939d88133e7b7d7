import path from 'node:path';
import { TASKS_SOURCE_DIR } from '../../../provision/images/workload-assets.ts';
import type { CommandRecord } from '../../types.ts';
import type { PhaseTexts } from '../runtimes/runtime-adapter.ts';
import { expectOutput } from './expect-output.ts';
import { GRADE_C_OUTPUT } from './grade-c.ts';
import { GRADE_PYTHON_OUTPUT } from './grade-python.ts';
import { inginiousTaskPlan, type InginiousTaskSpec } from './inginious-task-plan.ts';
import type { Workload } from './workload.ts';

/** The course's $common folder, copied into every submission's course/common (run_student.py lives there). */
export const COMMON_SOURCE_DIR = path.join(TASKS_SOURCE_DIR, 'inginious-task', '$common');

/** The grading container's command: the task's INGInious entry point, in the task folder mounted at /task. */
export const INGINIOUS_RUN_ARGV = ['/bin/sh', '/task/inginious-run'];

/**
 * What each phase of an INGInious submission holds, from the runtime's texts of the `command`
 * shape (its grading container's), for the report's table of phase commands.
 */
export function describeInginiousPhases(runtime: PhaseTexts): PhaseTexts {
  return {
    create: `on the host: mkdir the submission's folder (task/, sockets/, course/), cp -R the task into task/ and $common into course/common; ` +
      `then the grading container: ${runtime.create}, with task/ at /task (rw), sockets/ at /sockets (rw), course/common at /course/common (ro)`,
    launch: 'nothing: the grading container starts in execute, so that all the grader does is inside one clock',
    execute: `from the grading container's start to its exit, split by time: grading start (${runtime.launch}), grading run (the grader builds the student's code and writes ` +
      '/sockets/student-0.request, until crbench starts the student container), then the student container through its own phases, each step timed: student create, student start, ' +
      `student run (until it exits and its output is read), student remove; crbench answers in /sockets/student-0.answer; grading exit: the rest of ${runtime.execute}`,
    stop: `the grading container: ${runtime.stop}`,
    clean: `the grading container: ${runtime.clean}; then rm -rf the submission's folder (task: cleanup)`,
  };
}

/**
 * The check of a submission: the grader's exact output, score included. The plan fails execute
 * itself when the student container could not be served, and clean when the submission's
 * folder is left; both containers are gone once their removal steps succeeded.
 */
function checkSubmission(record: CommandRecord, expected: string): string | null {
  return record.failure ?? expectOutput(record, expected);
}

function inginiousTask(name: string, taskFolder: string, expected: string): Workload {
  const task: InginiousTaskSpec = { taskSourceDir: path.join(TASKS_SOURCE_DIR, taskFolder), commonSourceDir: COMMON_SOURCE_DIR, gradingArgv: INGINIOUS_RUN_ARGV };
  return {
    name,
    argv: INGINIOUS_RUN_ARGV,
    check: (record) => checkSubmission(record, expected),
    plan: (runtime, spec) => inginiousTaskPlan(runtime, spec, task),
    describePhases: describeInginiousPhases,
  };
}

/**
 * A submission of the grade-c task as INGInious runs it: a grading container builds the
 * student's C with the teacher's driver (gcc) and asks for a student container that runs it;
 * the tests judge its output in the grading container: score 7/10.
 */
export const inginiousTaskC = inginiousTask('inginious-task', 'grade-c', GRADE_C_OUTPUT);

/** The grade-python task the same way: the student's module runs in the student container; score 5/8. */
export const inginiousTaskPython = inginiousTask('inginious-task-python', 'grade-python', GRADE_PYTHON_OUTPUT);
