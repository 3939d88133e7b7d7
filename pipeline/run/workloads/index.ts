import { noop } from './noop.ts';
import type { Workload } from './workload.ts';

/** Every workload the matrix can name; a new one is one file plus one line here. */
export const WORKLOADS: Readonly<Record<string, Workload>> = { noop };

export type { Workload } from './workload.ts';
