import { copyUp } from './copy-up.ts';
import { cpu } from './cpu.ts';
import { gradeC } from './grade-c.ts';
import { gradePython } from './grade-python.ts';
import { inginiousTaskC, inginiousTaskPython } from './inginious-task.ts';
import { limitMemory } from './limit-memory.ts';
import { limitNetwork } from './limit-network.ts';
import { limitPids } from './limit-pids.ts';
import { noop } from './noop.ts';
import { probeSecurity } from './probe-security.ts';
import type { Workload } from './workload.ts';
import { write } from './write.ts';

/** Every workload the matrix can name; a new one is one file plus one line here. */
export const WORKLOADS: Readonly<Record<string, Workload>> = {
  noop, cpu, write, 'copy-up': copyUp, 'grade-c': gradeC, 'grade-python': gradePython,
  'limit-memory': limitMemory, 'limit-pids': limitPids, 'limit-network': limitNetwork,
  'probe-security': probeSecurity,
  'inginious-task': inginiousTaskC, 'inginious-task-python': inginiousTaskPython,
};

export type { Workload } from './workload.ts';
