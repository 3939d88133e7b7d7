import path from 'node:path';
import type { Cell, HostFacts, Sample, SetupStep } from '../types.ts';
import type { ContainerLimits } from './limits.ts';
import { timePhase } from './phase-steps.ts';
import { runCell, type CellOutcome } from './run-cell.ts';
import { RUNTIMES } from './runtimes/index.ts';
import type { SampleSink } from './sample-sink.ts';
import { STORAGE_DRIVERS } from './storage/index.ts';
import { WORKLOADS } from './workloads/index.ts';

export interface GroupRun {
  groupId: string;
  cells: Cell[];
  workDir: string;
  mountpoint: string;
  host: HostFacts;
  /** Image name → cached tarball. */
  imageTarballs: Record<string, string>;
  limits: ContainerLimits;
  repetitions: number;
  warmup: number;
  phaseTimeoutMs: number;
  scratchDir: string;
  sink: SampleSink;
  signal: AbortSignal;
}

export function setupSample(cell: Cell, step: SetupStep, image: string, durationMs: number, error?: string): Sample {
  return {
    schemaVersion: 1, cellId: cell.groupId, groupId: cell.groupId, runtime: cell.runtime, storageDriver: cell.storageDriver,
    filesystem: cell.filesystem, image, workload: '-', concurrency: 0, phase: step, rep: 0, warmup: false,
    durationMs, ok: error === undefined, ...(error !== undefined ? { error } : {}), startedAt: new Date().toISOString(),
  };
}

function lookUp<T>(registry: Readonly<Record<string, T>>, kind: string, name: string): T {
  const found = registry[name];
  if (found === undefined) throw new Error(`no ${kind} named ${name} in the registry`);
  return found;
}

/**
 * Runs the cells of one group on its mounted volume: the runtime's state is opened on the
 * volume, each image is imported once (timed as a setup step), then every cell runs.
 * The runtime state is closed however this ends. Returns each cell's outcome, and the
 * workarounds the runtime applied.
 */
export async function runGroup(group: GroupRun): Promise<{ outcomes: Map<string, CellOutcome>; workarounds: string[] }> {
  const first = group.cells[0];
  if (first === undefined) return { outcomes: new Map(), workarounds: [] };
  const adapter = lookUp(RUNTIMES, 'runtime', first.runtime);
  const storage = lookUp(STORAGE_DRIVERS, 'storage driver', first.storageDriver);
  const runtime = await adapter.openGroup({ groupId: group.groupId, workDir: group.workDir, mountpoint: group.mountpoint, host: group.host });
  const outcomes = new Map<string, CellOutcome>();
  try {
    const imported = new Map<string, string | null>();
    for (const cell of group.cells) {
      if (group.signal.aborted) break;
      if (!imported.has(cell.image)) {
        const imageRootfs = path.join(group.mountpoint, 'images', cell.image, 'rootfs');
        const tarball = lookUp(group.imageTarballs, 'built image', cell.image);
        const outcome = await timePhase(storage.importImage(tarball, imageRootfs), { scratchDir: group.scratchDir, deadlineMs: group.phaseTimeoutMs * 10 });
        group.sink.commands(group.groupId, `import ${cell.image}`, outcome.commands);
        group.sink.sample(setupSample(cell, 'import-image', cell.image, outcome.durationMs, outcome.error));
        imported.set(cell.image, outcome.ok ? imageRootfs : null);
      }
      const imageRootfs = imported.get(cell.image);
      if (imageRootfs === null || imageRootfs === undefined) continue;
      outcomes.set(cell.id, await runCell(cell, {
        runtime, storage, workload: lookUp(WORKLOADS, 'workload', cell.workload), imageRootfs,
        mountpoint: group.mountpoint, scratchDir: group.scratchDir, limits: group.limits,
        repetitions: group.repetitions, warmup: group.warmup, phaseTimeoutMs: group.phaseTimeoutMs,
        sink: group.sink, signal: group.signal,
      }));
    }
  } finally {
    await runtime.close();
  }
  return { outcomes, workarounds: runtime.workarounds };
}
