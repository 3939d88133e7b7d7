import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { LIFECYCLE_PHASES, type CommandRecord, type LifecyclePhase } from '../../types.ts';
import type { Executor } from '../executor/executor.ts';
import { run, type PhaseRun, type Step, type StepRecord } from '../executor/steps.ts';
import type { ContainerMount, ContainerPlan, ContainerSpec, RuntimeGroup } from '../runtimes/runtime-adapter.ts';
import { STUDENT_FAILED_RETVAL, watchStudentRequests, writeStudentAnswer, type StudentAnswer, type StudentRequest } from './inginious-task-agent.ts';

/** What a submission is made of: the task's folder on the host, the course's $common, the grader's command. */
export interface InginiousTaskSpec {
  /** The task folder copied to the submission's task/ (mounted at /task). */
  taskSourceDir: string;
  /** The course's $common folder copied to course/common/ (mounted read-only at /course/common). */
  commonSourceDir: string;
  /** The grading container's command. */
  gradingArgv: string[];
}

/** The submission's folders on the host, INGInious's `container_path` and what is below it. */
export interface SubmissionPaths {
  root: string;
  task: string;
  student: string;
  sockets: string;
  course: string;
  common: string;
}

export function submissionPaths(spec: Pick<ContainerSpec, 'dir'>): SubmissionPaths {
  const root = path.join(spec.dir, 'submission');
  return {
    root, task: path.join(root, 'task'), student: path.join(root, 'task', 'student'), sockets: path.join(root, 'sockets'),
    course: path.join(root, 'course'), common: path.join(root, 'course', 'common'),
  };
}

/** The grading container's mounts, as the agent's create_container gives them (/course/common/student left out). */
export function gradingMounts(paths: SubmissionPaths): ContainerMount[] {
  return [
    { source: paths.task, destination: '/task', readonly: false },
    { source: paths.sockets, destination: '/sockets', readonly: false },
    { source: paths.common, destination: '/course/common', readonly: true },
  ];
}

/** The student container's: create_container_student's shared /task/student. */
export function studentMounts(paths: SubmissionPaths): ContainerMount[] {
  return [{ source: paths.student, destination: '/task/student', readonly: false }];
}

/** The host's part of a submission before the grading container: INGInious's __new_job_sync. */
export function taskCopySteps(task: InginiousTaskSpec, paths: SubmissionPaths): Step[] {
  return [
    run('task: mkdir', ['mkdir', '-p', '-m', '0777', paths.root, paths.sockets, paths.course]),
    run('task: copy', ['cp', '-R', task.taskSourceDir, paths.task]),
    run('task: copy $common', ['cp', '-R', task.commonSourceDir, paths.common]),
  ];
}

/** Every step's label prefixed (`grading create: runc create`); a later step's built step too. */
export function prefixSteps(steps: readonly Step[], prefix: string): Step[] {
  const named = (label: string) => `${prefix}: ${label}`;
  return steps.map((step): Step => {
    if (step.kind !== 'later') return { ...step, label: named(step.label) };
    return { ...step, label: named(step.label), build: (previous) => {
      const built = step.build(previous);
      return { ...built, label: named(built.label) };
    } };
  });
}

/** How the phases of a student container are labelled: its create, start, run and removal. */
const STUDENT_LABELS: Record<LifecyclePhase, string> = {
  create: 'student create', launch: 'student start', execute: 'student run', stop: 'student remove', clean: 'student remove',
};
/** Likewise the grading container's, in the submission's phases. */
const GRADING_LABELS: Record<LifecyclePhase, string> = {
  create: 'grading create', launch: 'grading start', execute: 'grading exit', stop: 'grading stop', clean: 'grading remove',
};
/** The grader's own time before it asked for the student container (its build, its request, crbench's notice). */
export const GRADING_RUN_LABEL = 'grading run';

const emptyPhase = (executor: Executor): PhaseRun => {
  const nowMs = executor.nowMs();
  return { records: [], startMs: nowMs, endMs: nowMs, durationMs: 0, ok: true };
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The execute phase's records without overlaps. The student containers' steps run while the
 * grading container's are in flight, so the span from the first student step to the last is
 * cut out of every grading record: what is left before it keeps the record's label, except
 * the grader's own time while crbench waited for its exit, which is `grading run` (it builds
 * the student's code and asks); what is left after it keeps the record's label (from the
 * answer to the grader's exit). A grading record inside the span gives its time to the student
 * steps. Every entry is then a disjoint interval, in time order, and the steps (with the
 * runner's `harness` gaps) still sum to the phase.
 */
export function splitAroundStudents(grading: readonly StepRecord[], students: readonly StepRecord[]): StepRecord[] {
  const first = students[0];
  const last = students.at(-1);
  if (first === undefined || last === undefined) return [...grading];
  const piece = (record: StepRecord, startMs: number, endMs: number, label: string, keepResult: boolean): StepRecord => ({
    ...(keepResult ? record : { label, kind: record.kind, what: record.what, exitCode: null, signal: null, stdout: '', stderr: '' }),
    label, startMs, endMs, durationMs: endMs - startMs,
  });
  const before: StepRecord[] = [];
  const after: StepRecord[] = [];
  for (const record of grading) {
    if (record.startMs < first.startMs) {
      const endMs = Math.min(record.endMs, first.startMs);
      const cut = record.endMs > first.startMs;
      const waitingForExit = record.label.startsWith(`${GRADING_LABELS.execute}: `);
      before.push(piece(record, record.startMs, endMs, cut && waitingForExit ? GRADING_RUN_LABEL : record.label, !cut));
    }
    if (record.endMs > last.endMs) after.push(piece(record, Math.max(record.startMs, last.endMs), record.endMs, record.label, true));
  }
  return [...before, ...students, ...after];
}

/** One student container served: its records (each phase, in order) and why it failed, if it did. */
interface StudentService {
  records: StepRecord[];
  failure?: string;
  plan: ContainerPlan;
}

/**
 * One submission as INGInious's docker agent runs it, as the five phases of one container:
 *
 * ```
 *  create   task: mkdir · task: copy · task: copy $common · grading create: <runtime's create>
 *  launch   nothing (the grading container starts in execute)
 *  execute  grading start: <runtime's launch> ─▶ grading run ─▶ student create ─▶ student start
 *           ─▶ student run ─▶ student remove ─▶ grading exit: <runtime's wait for the grader's
 *           exit, then its output>
 *  stop     grading stop: <runtime's stop> (nothing: the grader has exited)
 *  clean    grading remove: <runtime's clean> · task: cleanup (rm -rf the submission's folder)
 * ```
 * Execute runs from the grading container's start to its exit, in one clock: a start in launch
 * would leave the grader running while the runner works between two phases (its sync of the
 * volume, say), outside every clock. The grader asks
 * for a student container over the sockets folder (inginious-task-agent.ts), and crbench runs
 * that container's phases through the same executor while the wait is in flight, removes it,
 * then answers. Its records are laid into execute by their timestamps (splitAroundStudents).
 * The student container gets the grading container's image and limits and the submission's
 * task/student at /task/student; a fresh network namespace and cgroup (a pool sized for one
 * container per submission would be short of one).
 */
export function inginiousTaskPlan(runtime: RuntimeGroup, spec: ContainerSpec, task: InginiousTaskSpec): ContainerPlan {
  const paths = submissionPaths(spec);
  const gradingSpec: ContainerSpec = {
    ...spec, id: `${spec.id}-grading`, dir: path.join(spec.dir, 'grading'), workloadArgv: task.gradingArgv, lifecycle: 'command', mounts: gradingMounts(paths),
  };
  const grading = runtime.container(gradingSpec);
  const students: ContainerPlan[] = [];
  const ofGrading = (phase: LifecyclePhase, records: readonly StepRecord[]) => records.filter((record) => record.label.startsWith(`${GRADING_LABELS[phase]}: `));
  let gradingExecute: StepRecord[] = [];
  let studentFailure: string | undefined;

  const serveStudent = async (request: StudentRequest, executor: Executor, deadlineMs: number): Promise<StudentService> => {
    const studentSpec: ContainerSpec = {
      id: `${spec.id}-student${request.index}`, image: spec.image, dir: path.join(spec.dir, `student${request.index}`),
      workloadArgv: 'argv' in request ? request.argv : ['/bin/false'], lifecycle: 'command', netns: 'fresh', cgroup: 'fresh', mounts: studentMounts(paths),
    };
    const plan = runtime.container(studentSpec);
    students.push(plan);
    const records: StepRecord[] = [];
    let workload: CommandRecord | undefined;
    let failure = 'error' in request ? request.error : undefined;
    try {
      if (failure === undefined) {
        mkdirSync(studentSpec.dir, { recursive: true });
        plan.prepare?.();
      }
    } catch (error) {
      failure = `preparing the student container: ${messageOf(error)}`;
    }
    for (const phase of LIFECYCLE_PHASES) {
      if (failure !== undefined) break;
      try {
        const steps = prefixSteps(plan[phase](), STUDENT_LABELS[phase]);
        const result = steps.length > 0 ? await executor.runPhase(steps, { deadlineMs }) : emptyPhase(executor);
        records.push(...result.records);
        if (result.error !== undefined) throw new Error(result.error);
        if (phase === 'execute') workload = plan.workloadRun(result.records);
        const follow = plan.after?.(phase, result.records);
        if (follow !== undefined) {
          const probe = await executor.runPhase(prefixSteps(follow.steps, STUDENT_LABELS[phase]), { deadlineMs });
          records.push(...probe.records);
          if (probe.error !== undefined) throw new Error(probe.error);
          follow.learn(probe.records);
        }
      } catch (error) {
        failure = `${STUDENT_LABELS[phase]}: ${messageOf(error)}`;
      }
    }
    if (failure !== undefined) {
      for (const step of prefixSteps(plan.forceRemove(), 'student remove (forced)')) {
        const removal = await executor.runPhase([step], { deadlineMs }).catch(() => undefined);
        if (removal !== undefined) records.push(...removal.records);
      }
    }
    const answer: StudentAnswer = failure !== undefined || workload === undefined
      ? { retval: STUDENT_FAILED_RETVAL, stdout: '', stderr: failure ?? 'the student container ran nothing' }
      : { retval: workload.exitCode ?? STUDENT_FAILED_RETVAL, stdout: workload.stdout, stderr: workload.stderr };
    writeStudentAnswer(paths.sockets, request.index, answer);
    return { records, plan, ...(failure !== undefined ? { failure } : {}) };
  };

  const runExecute = async (executor: Executor, deadlineMs: number): Promise<PhaseRun> => {
    const watcher = watchStudentRequests(paths.sockets);
    // Started here rather than in launch, so that everything the grader does is inside this one clock.
    const gradingSteps = [...prefixSteps(grading.launch(), GRADING_LABELS.launch), ...prefixSteps(grading.execute(), GRADING_LABELS.execute)];
    const waiting = executor.runPhase(gradingSteps, { deadlineMs });
    void waiting.finally(() => watcher.close()).catch(() => undefined);
    const studentRecords: StepRecord[] = [];
    let served = 0;
    try {
      for (let request = await watcher.next(); request !== undefined; request = await watcher.next()) {
        const service = await serveStudent(request, executor, deadlineMs);
        served += 1;
        studentRecords.push(...service.records);
        studentFailure ??= service.failure;
      }
    } finally {
      watcher.close();
    }
    const result = await waiting;
    gradingExecute = ofGrading('execute', result.records);
    const error = result.error ?? (studentFailure !== undefined ? `the student container: ${studentFailure}` : served === 0 ? 'the grader asked for no student container' : undefined);
    const records = splitAroundStudents(result.records, studentRecords);
    return { ...result, records, ok: error === undefined, ...(error !== undefined ? { error } : {}) };
  };

  return {
    prepare() {
      mkdirSync(spec.dir, { recursive: true });
      grading.prepare?.();
    },
    create: () => [...taskCopySteps(task, paths), ...prefixSteps(grading.create(), GRADING_LABELS.create)],
    launch: () => [],
    execute: () => [...prefixSteps(grading.launch(), GRADING_LABELS.launch), ...prefixSteps(grading.execute(), GRADING_LABELS.execute)],
    stop: () => prefixSteps(grading.stop(), GRADING_LABELS.stop),
    clean: () => [...prefixSteps(grading.clean(), GRADING_LABELS.clean), run('task: cleanup', ['rm', '-rf', paths.root])],
    runPhase(phase, steps, executor, deadlineMs) {
      if (phase === 'execute') return runExecute(executor, deadlineMs);
      return steps.length > 0 ? executor.runPhase(steps, { deadlineMs }) : Promise.resolve(emptyPhase(executor));
    },
    after(phase, records) {
      if (phase === 'clean' && existsSync(paths.root)) throw new Error(`the submission's folder ${paths.root} is still there after task: cleanup`);
      return grading.after?.(phase, phase === 'execute' ? gradingExecute : ofGrading(phase, records));
    },
    workloadRun: () => grading.workloadRun(gradingExecute),
    memoryCgroup: () => grading.memoryCgroup?.() ?? null,
    forceRemove: () => [...students.flatMap((plan) => plan.forceRemove()), ...grading.forceRemove(), run('task: cleanup (forced)', ['rm', '-rf', paths.root])],
  };
}
