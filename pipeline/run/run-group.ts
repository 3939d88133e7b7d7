import { daemonRssBytes } from '../../provision/daemons/daemon.ts';
import type { Cell, HostFacts, Sample, SetupStep } from '../types.ts';
import type { ContainerLimits } from './limits.ts';
import { timePhase } from './phase-steps.ts';
import { runCell, type CellOutcome } from './run-cell.ts';
import { RUNTIMES, type RuntimeGroup } from './runtimes/index.ts';
import type { SampleSink } from './sample-sink.ts';
import { WORKLOADS } from './workloads/index.ts';

export interface GroupRun {
  groupId: string;
  block: number;
  /** Each cell with the measured repetitions to run in this block, in the order to run them. */
  cells: { cell: Cell; firstRep: number; reps: number }[];
  workDir: string;
  mountpoint: string;
  poolName: string;
  host: HostFacts;
  /** Image name → cached tarball. */
  imageTarballs: Record<string, string>;
  limits: ContainerLimits;
  warmup: number;
  phaseTimeoutMs: number;
  scratchDir: string;
  sink: SampleSink;
  signal: AbortSignal;
}

export function setupSample(cell: Cell, block: number, step: SetupStep, image: string, durationMs: number, error?: string): Sample {
  return {
    schemaVersion: 1, cellId: cell.groupId, groupId: cell.groupId, runtime: cell.runtime, storageDriver: cell.storageDriver,
    filesystem: cell.filesystem, image, workload: '-', concurrency: 0, phase: step, block, rep: 0, warmup: false,
    durationMs, ok: error === undefined, ...(error !== undefined ? { error } : {}), startedAt: new Date().toISOString(),
  };
}

function lookUp<T>(registry: Readonly<Record<string, T>>, kind: string, name: string): T {
  const found = registry[name];
  if (found === undefined) throw new Error(`no ${kind} named ${name} in the registry`);
  return found;
}

/**
 * Runs the cells of one group on its mounted volume: the runtime is opened on the volume
 * (timed as `start-runtime`), each image imported once (timed as `import-image`), then
 * every cell runs. The runtime is closed however this ends. A runtime that does not start
 * is recorded and its cells are left unrun; the caller goes on with the next group.
 */
export async function runGroup(group: GroupRun): Promise<{ outcomes: Map<string, CellOutcome>; workarounds: string[] }> {
  const first = group.cells[0]?.cell;
  const outcomes = new Map<string, CellOutcome>();
  if (first === undefined) return { outcomes, workarounds: [] };
  const adapter = lookUp(RUNTIMES, 'runtime', first.runtime);
  const startMs = performance.now();
  let runtime: RuntimeGroup;
  try {
    runtime = await adapter.openGroup({
      groupId: group.groupId, workDir: group.workDir, mountpoint: group.mountpoint, poolName: group.poolName, host: group.host,
      storageDriver: first.storageDriver, limits: group.limits, scratchDir: group.scratchDir,
    });
  } catch (error) {
    group.sink.sample(setupSample(first, group.block, 'start-runtime', '-', performance.now() - startMs, (error as Error).message));
    return { outcomes, workarounds: [] };
  }
  group.sink.sample(setupSample(first, group.block, 'start-runtime', '-', performance.now() - startMs));
  try {
    const imported = new Map<string, boolean>();
    for (const { cell, firstRep, reps } of group.cells) {
      if (group.signal.aborted) break;
      if (!imported.has(cell.image)) {
        const tarball = lookUp(group.imageTarballs, 'built image', cell.image);
        const outcome = await timePhase(runtime.importImage(cell.image, tarball), { scratchDir: group.scratchDir, deadlineMs: group.phaseTimeoutMs * 10 });
        group.sink.commands(group.groupId, `import ${cell.image}`, outcome.commands);
        group.sink.sample(setupSample(cell, group.block, 'import-image', cell.image, outcome.durationMs, outcome.error));
        imported.set(cell.image, outcome.ok);
      }
      if (imported.get(cell.image) !== true) continue;
      outcomes.set(cell.id, await runCell(cell, {
        runtime, workload: lookUp(WORKLOADS, 'workload', cell.workload), mountpoint: group.mountpoint,
        scratchDir: group.scratchDir, block: group.block, warmup: group.warmup, firstRep, reps,
        phaseTimeoutMs: group.phaseTimeoutMs, sink: group.sink, signal: group.signal,
      }));
    }
    const rssBytes = daemonRssBytes(group.workDir, group.groupId);
    if (rssBytes !== null) group.sink.sample({ ...setupSample(first, group.block, 'start-runtime', '-', 0), phase: 'runtime-rss', value: rssBytes, unit: 'bytes' });
  } finally {
    await runtime.close();
  }
  return { outcomes, workarounds: runtime.workarounds };
}
