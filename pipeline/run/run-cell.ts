import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LIFECYCLE_PHASES, type Cell, type LifecyclePhase, type Sample } from '../types.ts';
import type { ContainerLimits } from './limits.ts';
import { buildOciConfig } from './oci-config.ts';
import { timePhase, type Step } from './phase-steps.ts';
import type { Container, RuntimeGroup } from './runtimes/index.ts';
import type { SampleSink } from './sample-sink.ts';
import type { StorageDriver } from './storage/index.ts';
import type { Workload } from './workloads/index.ts';

export interface CellContext {
  runtime: RuntimeGroup;
  storage: StorageDriver;
  workload: Workload;
  imageRootfs: string;
  mountpoint: string;
  scratchDir: string;
  limits: ContainerLimits;
  repetitions: number;
  warmup: number;
  phaseTimeoutMs: number;
  sink: SampleSink;
  signal: AbortSignal;
}

export interface CellOutcome {
  measuredReps: number;
  failedReps: number;
}

function stepsOf(phase: LifecyclePhase, container: Container, context: CellContext): Step[] {
  const { runtime, storage } = context;
  switch (phase) {
    case 'create': return [...storage.prepare(context.imageRootfs, container.rootfsDir), ...runtime.create(container)];
    case 'launch': return runtime.launch(container);
    case 'execute': return runtime.execute(container, context.workload.argv);
    case 'stop': return runtime.stop(container);
    case 'clean': return [...runtime.clean(container), ...storage.remove(container.rootfsDir)];
  }
}

/**
 * Runs the warm-up and measured repetitions of one cell, each through the five phases,
 * and hands one sample per phase to the sink as soon as it is measured. A failed phase
 * is recorded with its error, the container is removed outside the clock, and the next
 * repetition goes on.
 */
export async function runCell(cell: Cell, context: CellContext): Promise<CellOutcome> {
  const outcome: CellOutcome = { measuredReps: 0, failedReps: 0 };
  const total = context.warmup + context.repetitions;
  for (let rep = 0; rep < total && !context.signal.aborted; rep += 1) {
    const warmup = rep < context.warmup;
    const id = `${cell.image}-${cell.workload}-c${cell.concurrency}-r${rep}`;
    const bundleDir = path.join(context.mountpoint, 'containers', id);
    const container: Container = { id, bundleDir, rootfsDir: path.join(bundleDir, 'rootfs'), initPid: null };
    mkdirSync(bundleDir, { recursive: true });
    writeFileSync(path.join(bundleDir, 'config.json'), JSON.stringify(buildOciConfig({ hostname: id, limits: context.limits })));
    let failed = false;
    for (const phase of LIFECYCLE_PHASES) {
      if (context.signal.aborted) break;
      const startedAt = new Date().toISOString();
      const result = await timePhase(stepsOf(phase, container, context), { scratchDir: context.scratchDir, deadlineMs: context.phaseTimeoutMs });
      let error = result.error;
      if (error === undefined && phase === 'execute') {
        const last = result.commands.at(-1);
        error = last === undefined ? 'the workload did not run' : (context.workload.check(last) ?? undefined);
      }
      if (error === undefined && phase === 'create') {
        container.initPid = await context.runtime.initPid(container).catch(() => null);
        if (container.initPid === null) error = 'the runtime reported no init process after create';
      }
      context.sink.commands(cell.id, `rep ${rep} ${phase}`, result.commands);
      const sample: Sample = {
        schemaVersion: 1, cellId: cell.id, groupId: cell.groupId, runtime: cell.runtime,
        storageDriver: cell.storageDriver, filesystem: cell.filesystem, image: cell.image, workload: cell.workload,
        concurrency: cell.concurrency, phase, rep, warmup, durationMs: result.durationMs, ok: error === undefined,
        ...(error !== undefined ? { error } : {}), startedAt,
      };
      context.sink.sample(sample);
      if (error !== undefined) {
        failed = true;
        break;
      }
    }
    if (failed || context.signal.aborted) await context.runtime.forceRemove(container);
    rmSync(bundleDir, { recursive: true, force: true });
    if (failed) outcome.failedReps += 1;
    else if (!warmup) outcome.measuredReps += 1;
  }
  return outcome;
}
