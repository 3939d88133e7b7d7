import type { LifecyclePhase } from '../types.ts';

export type ComparedPhase = LifecyclePhase | 'total';

/** "crun launches 2.4× faster than runc": the verb phrase with a runtime as subject. */
export const RUNTIME_VERB: Record<ComparedPhase, string> = {
  create: 'creates containers',
  launch: 'launches',
  execute: 'executes the workload',
  stop: 'stops',
  clean: 'cleans up',
  total: 'completes the whole life cycle',
};

/** "Creating is 3.1× faster with overlay than with copy": the phase as a subject. */
export const PHASE_SUBJECT: Record<ComparedPhase, string> = {
  create: 'Creating',
  launch: 'Launching',
  execute: 'Executing the workload',
  stop: 'Stopping',
  clean: 'Cleaning up',
  total: 'The whole life cycle',
};

/** "no significant difference in launching". */
export const PHASE_GERUND: Record<ComparedPhase, string> = {
  create: 'creating',
  launch: 'launching',
  execute: 'executing the workload',
  stop: 'stopping',
  clean: 'cleaning up',
  total: 'the whole life cycle',
};

/** What each phase measures, for the Tests section. */
export const PHASE_MEANING: Record<LifecyclePhase, string> = {
  create: "giving the container its root filesystem (the storage driver's work) and creating it, not yet running",
  launch: "starting the container's init process",
  execute: 'running the workload inside the running container, as a grader would, its exit code and output checked',
  stop: "killing the container's processes and waiting until its init has exited",
  clean: 'deleting the container and its root filesystem',
};
