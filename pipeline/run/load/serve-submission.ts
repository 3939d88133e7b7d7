import { rmSync } from 'node:fs';
import { LIFECYCLE_PHASES, type LifecyclePhase } from '../../types.ts';
import type { Executor } from '../executor/executor.ts';
import { stepTimings, type PhaseRun, type Step } from '../executor/steps.ts';
import type { ContainerPlan, ContainerSpec, RuntimeGroup } from '../runtimes/runtime-adapter.ts';
import type { Workload } from '../workloads/workload.ts';

/** What one submission's service did: each phase, its steps, and why it does not count. */
export interface SubmissionService {
  ok: boolean;
  error?: string;
  phasesMs: Partial<Record<LifecyclePhase, number>>;
  steps: { phase: LifecyclePhase; label: string; durationMs: number }[];
}

const UNTIMED_DEADLINE_MS = 120_000;
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * One submission through the runtime's whole life cycle, every phase through the executor, as
 * runCell takes one container (the workload's own plan when it has one: the INGInious task),
 * without runCell's volume syncs and disk and memory probes, which would stall the other
 * submissions in service. `cancelled` is asked between phases: an abandoned submission stops
 * there. Whatever a failed or cancelled phase left is force-removed, and the container's folder
 * deleted, before this returns. Nothing is written here: the caller writes between rate steps.
 */
export async function serveSubmission(options: {
  runtime: RuntimeGroup; executor: Executor; workload: Workload; spec: ContainerSpec; phaseTimeoutMs: number; cancelled: () => boolean;
}): Promise<SubmissionService> {
  const { runtime, executor, workload, spec } = options;
  const service: SubmissionService = { ok: false, phasesMs: {}, steps: [] };
  let plan: ContainerPlan | undefined;
  try {
    plan = workload.plan?.(runtime, spec) ?? runtime.container(spec);
    plan.prepare?.();
    for (const phase of LIFECYCLE_PHASES) {
      if (options.cancelled()) throw new Error(`abandoned at the drain bound before ${phase}`);
      const steps: Step[] = plan[phase]();
      const result: PhaseRun = plan.runPhase !== undefined
        ? await plan.runPhase(phase, steps, executor, options.phaseTimeoutMs)
        : steps.length > 0 ? await executor.runPhase(steps, { deadlineMs: options.phaseTimeoutMs }) : { records: [], startMs: 0, endMs: 0, durationMs: 0, ok: true };
      service.phasesMs[phase] = result.durationMs;
      service.steps.push(...stepTimings(result.records).map((timing) => ({ phase, ...timing })));
      if (result.error !== undefined) throw new Error(`${phase}: ${result.error}`);
      if (phase === 'execute') {
        const problem = workload.check(plan.workloadRun(result.records));
        if (problem !== null) throw new Error(`execute: ${problem}`);
      }
      const follow = plan.after?.(phase, result.records);
      if (follow !== undefined) {
        const probe = await executor.runPhase(follow.steps, { deadlineMs: UNTIMED_DEADLINE_MS });
        if (probe.error !== undefined) throw new Error(`after ${phase}: ${probe.error}`);
        follow.learn(probe.records);
      }
    }
    service.ok = true;
  } catch (error) {
    service.error = messageOf(error);
    for (const step of plan?.forceRemove() ?? []) await executor.runPhase([step], { deadlineMs: UNTIMED_DEADLINE_MS }).catch(() => undefined);
  } finally {
    rmSync(spec.dir, { recursive: true, force: true });
  }
  return service;
}
