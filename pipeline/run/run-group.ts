import { daemonRssBytes } from '../../provision/daemons/daemon.ts';
import type { Cell, HostFacts, MetricSample, SetupSample, SetupStep, StepTiming } from '../types.ts';
import type { Executor } from './executor/executor.ts';
import { stepTimings } from './executor/steps.ts';
import type { ContainerLimits } from './limits.ts';
import { runCell, type CellOutcome } from './run-cell.ts';
import { adapterOf, type RuntimeAdapter, type RuntimeGroup } from './runtimes/index.ts';
import { logRecordOf, type SampleSink } from './sample-sink.ts';
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
  executor: Executor;
  sink: SampleSink;
  signal: AbortSignal;
  /** The adapter to open instead of the registry's for the cells' runtime: a fake runtime, in tests. */
  adapter?: RuntimeAdapter;
}

/** A setup step of a cell's group, with its steps where the executor ran them. */
export function setupSample(cell: Cell, block: number, step: SetupStep, image: string, durationMs: number, error?: string, steps?: StepTiming[]): SetupSample {
  return {
    schemaVersion: 2, kind: 'setup', cellId: cell.groupId, groupId: cell.groupId, runtime: cell.runtime, storageDriver: cell.storageDriver,
    filesystem: cell.filesystem, image, workload: '-', lifecycle: '-', netns: '-', cgroup: '-', concurrency: 0, phase: step, block, rep: 0, warmup: false,
    durationMs, ...(steps !== undefined ? { steps } : {}), ok: error === undefined, ...(error !== undefined ? { error } : {}), startedAt: new Date().toISOString(),
  };
}

/** The pools a group's cells need: as many members as the most containers of a reusing cell at once. */
export function poolDemandOf(cells: readonly Cell[]): { netns: number; cgroup: number } {
  const most = (reuses: (cell: Cell) => boolean) => Math.max(0, ...cells.filter(reuses).map((cell) => cell.concurrency));
  return { netns: most((cell) => cell.netns === 'reused'), cgroup: most((cell) => cell.cgroup === 'reused') };
}

function lookUp<T>(registry: Readonly<Record<string, T>>, kind: string, name: string): T {
  const found = registry[name];
  if (found === undefined) throw new Error(`no ${kind} named ${name} in the registry`);
  return found;
}

/**
 * Runs the cells of one group on its mounted volume: the runtime is opened on the volume
 * (timed as `start-runtime`), each image imported once (timed as `import-image`, by the
 * executor), then every cell runs. The runtime is closed however this ends. A runtime that
 * does not start is recorded and its cells are left unrun; the caller goes on with the next group.
 */
export async function runGroup(group: GroupRun): Promise<{ outcomes: Map<string, CellOutcome>; workarounds: string[] }> {
  const first = group.cells[0]?.cell;
  const outcomes = new Map<string, CellOutcome>();
  if (first === undefined) return { outcomes, workarounds: [] };
  const adapter = group.adapter ?? adapterOf(first.runtime);
  if (adapter === undefined) throw new Error(`no runtime adapter for ${first.runtime}`);
  const startMs = performance.now();
  let runtime: RuntimeGroup;
  try {
    runtime = await adapter.openGroup({
      groupId: group.groupId, workDir: group.workDir, mountpoint: group.mountpoint, poolName: group.poolName, host: group.host,
      runtime: first.runtime, storageDriver: first.storageDriver, limits: group.limits, pools: poolDemandOf(group.cells.map((entry) => entry.cell)),
    });
  } catch (error) {
    group.sink.batch([setupSample(first, group.block, 'start-runtime', '-', performance.now() - startMs, (error as Error).message)], []);
    return { outcomes, workarounds: [] };
  }
  group.sink.batch([setupSample(first, group.block, 'start-runtime', '-', performance.now() - startMs)], []);
  try {
    const imported = new Map<string, boolean>();
    for (const { cell, firstRep, reps } of group.cells) {
      if (group.signal.aborted) break;
      if (!imported.has(cell.image)) {
        const tarball = lookUp(group.imageTarballs, 'built image', cell.image);
        const result = await group.executor.runPhase(runtime.importImage(cell.image, tarball), { deadlineMs: group.phaseTimeoutMs * 10 });
        const error = result.error ?? runtime.checkImport?.(result.records);
        group.sink.batch(
          [setupSample(cell, group.block, 'import-image', cell.image, result.durationMs, error, stepTimings(result.records))],
          [{ cellId: group.groupId, label: `import ${cell.image}`, records: result.records.map(logRecordOf) }],
        );
        imported.set(cell.image, error === undefined);
      }
      if (imported.get(cell.image) !== true) continue;
      outcomes.set(cell.id, await runCell(cell, {
        runtime, executor: group.executor, workload: lookUp(WORKLOADS, 'workload', cell.workload), mountpoint: group.mountpoint,
        block: group.block, warmup: group.warmup, firstRep, reps, phaseTimeoutMs: group.phaseTimeoutMs, sink: group.sink, signal: group.signal,
      }));
    }
    const rssBytes = daemonRssBytes(group.workDir, group.groupId);
    if (rssBytes !== null) {
      const { kind: _kind, phase: _phase, ok: _ok, error: _error, steps: _steps, ...base } = setupSample(first, group.block, 'start-runtime', '-', 0);
      const rss: MetricSample = { ...base, kind: 'metric', phase: 'runtime-rss', durationMs: 0, value: rssBytes, unit: 'bytes', ok: true };
      group.sink.batch([rss], []);
    }
  } finally {
    await runtime.close();
  }
  return { outcomes, workarounds: runtime.workarounds };
}
