import type { CellSummary, Summary } from '../types.ts';
import { axisValuesLabel, cellStatKey, configurationLabel, varyingAxes } from './describe-cell.ts';
import { ref, stat, text, type Block, type Inline, type TableColumn } from './document-model.ts';
import { formatFactor, formatMs } from './format-numbers.ts';

export const BATCH_TABLE_ID = 'batches';
export const RESOURCE_TABLE_ID = 'resources';
export const DAEMON_TABLE_ID = 'daemons';

/** The cells the life-cycle statistics, rankings and recommendations rest on: all but the isolation probes. */
export function lifeCycleCells(summary: Pick<Summary, 'cells'>): CellSummary[] {
  return summary.cells.filter((cell) => cell.probe === undefined);
}

/** "runc · copy · ext4 · grader · N=4": the configuration and the axes that vary among the rows. */
function rowLabel(cell: CellSummary, rows: readonly CellSummary[]): string {
  const variant = axisValuesLabel(cell, varyingAxes(rows, ['image', 'workload', 'lifecycle', 'netns', 'cgroup', 'concurrency']));
  return variant === '' ? configurationLabel(cell) : `${configurationLabel(cell)} · ${variant}`;
}

/**
 * Bytes as a statistic with its unit: KiB below one MiB, MiB from there, 3 significant
 * digits; the unit is part of the statistic's name, so a macro never changes its unit.
 */
export function byteStat(key: readonly string[], bytes: number): Inline {
  const [amount, unit] = bytes >= 1023.5 * 1024 ? [bytes / 2 ** 20, 'MiB'] : [bytes / 1024, 'KiB'];
  return [stat([...key, unit.toLowerCase()], formatFactor(amount)), text(` ${unit}`)];
}

/**
 * "### Concurrency": per configuration and N, the batches measured — the makespan of N
 * containers run at once (first create to last clean) with its interval, and the throughput
 * N ÷ median makespan next to the launch tail. Nothing when no makespan was recorded.
 */
export function buildConcurrencySubsection(summary: Summary, confidence: string): Block[] {
  const cells = lifeCycleCells(summary).filter((cell) => cell.batch);
  if (cells.length === 0) return [];
  const rows = cells.map((cell): Inline[] => {
    const batch = cell.batch!;
    const key = cellStatKey(cell, summary.cells);
    return [
      [text(rowLabel(cell, cells))],
      [stat([...key, 'concurrency'], String(cell.concurrency))],
      [stat([...key, 'makespan median ms'], formatMs(batch.makespanMedianMs))],
      [stat([...key, 'makespan ci low ms'], formatMs(batch.makespanCiLowMs)), text('–'), stat([...key, 'makespan ci high ms'], formatMs(batch.makespanCiHighMs))],
      [stat([...key, 'throughput per s'], formatFactor(batch.throughputPerSecond))],
      cell.phases.launch ? [stat([...key, 'launch', 'p95 ms'], formatMs(cell.phases.launch.p95Ms))] : [text('—')],
      [stat([...key, 'batches'], String(batch.n))],
    ];
  });
  const best = [...cells].sort((a, b) => b.batch!.throughputPerSecond - a.batch!.throughputPerSecond)[0]!;
  const bestKey = cellStatKey(best, summary.cells);
  return [
    { kind: 'heading', level: 3, text: 'Concurrency' },
    {
      kind: 'paragraph',
      content: [
        text('A repetition runs N containers through the life cycle at once, as an exam peak does. '),
        ref('table', BATCH_TABLE_ID, 0),
        text(
          ` gives its makespan, from the first create to the last clean, with the bootstrap ${confidence} of the median, and the ` +
            'throughput it means: N containers per median makespan. The highest is that of ',
        ),
        text(`${rowLabel(best, cells)}, `),
        stat([...bestKey, 'throughput per s'], formatFactor(best.batch!.throughputPerSecond)),
        text(' containers per second.'),
      ],
    },
    {
      kind: 'table',
      id: BATCH_TABLE_ID,
      number: '0',
      caption: `Batches of N containers run at once: median makespan (first create to last clean) with its bootstrap ${confidence}, throughput (N ÷ median makespan), 95th percentile of launch, and the number of batches measured.`,
      columns: [
        { title: 'configuration', align: 'left' },
        { title: 'N', align: 'right' },
        { title: 'makespan (ms)', align: 'right' },
        { title: `${confidence} (ms)`, align: 'right' },
        { title: 'containers/s', align: 'right' },
        { title: 'launch p95 (ms)', align: 'right' },
        { title: 'batches', align: 'right' },
      ] satisfies TableColumn[],
      rows,
    },
  ];
}

/**
 * "### Memory and disk": per configuration, the peak memory of its containers' cgroups and
 * the disk a container's creation took; per group, the resident memory of the runtime's
 * daemons. Nothing when none of them was measured.
 */
export function buildMemorySubsection(summary: Summary): Block[] {
  const cells = lifeCycleCells(summary).filter((cell) => cell.memory || cell.disk);
  const daemons = summary.daemons ?? [];
  if (cells.length === 0 && daemons.length === 0) return [];
  const blocks: Block[] = [{ kind: 'heading', level: 3, text: 'Memory and disk' }];
  const intro: Inline = [];
  if (cells.length > 0) {
    intro.push(
      ref('table', RESOURCE_TABLE_ID, 0),
      text(
        ' gives the peak memory of each container’s cgroup after the execute phase (median and highest, over every container; ' +
          'blank where the runtime keeps its cgroups out of crbench’s reach) and the disk the volume lost while one container was ' +
          'created: about the whole image for a deep copy, a few blocks for copy-on-write. ',
      ),
    );
  }
  if (daemons.length > 0) {
    intro.push(
      ref('table', DAEMON_TABLE_ID, 0),
      text(' gives the resident memory of the daemons a runtime keeps running, which a host pays once, whatever the number of containers; daemonless runtimes have none.'),
    );
  }
  blocks.push({ kind: 'paragraph', content: intro });
  if (cells.length > 0) {
    blocks.push({
      kind: 'table',
      id: RESOURCE_TABLE_ID,
      number: '0',
      caption: 'Memory and disk per container: median and highest peak memory of its cgroup, and the median disk its creation took (one container at a time).',
      columns: [
        { title: 'configuration', align: 'left' },
        { title: 'peak memory', align: 'right' },
        { title: 'highest peak', align: 'right' },
        { title: 'containers', align: 'right' },
        { title: 'disk on create', align: 'right' },
      ],
      rows: cells.map((cell) => {
        const key = cellStatKey(cell, summary.cells);
        const { memory, disk } = cell;
        return [
          [text(rowLabel(cell, cells))],
          memory ? byteStat([...key, 'peak memory median'], memory.peakMedianBytes) : [text('—')],
          memory ? byteStat([...key, 'peak memory max'], memory.peakMaxBytes) : [text('—')],
          memory ? [stat([...key, 'peak memory n'], String(memory.n))] : [text('—')],
          disk ? byteStat([...key, 'disk median'], disk.medianBytes) : [text('—')],
        ];
      }),
    });
  }
  if (daemons.length > 0) {
    blocks.push({
      kind: 'table',
      id: DAEMON_TABLE_ID,
      number: '0',
      caption: 'Resident memory of the runtime’s daemons per group (volume), after its cells ran: median over the blocks that measured it.',
      columns: [
        { title: 'runtime · driver · filesystem', align: 'left' },
        { title: 'daemon memory', align: 'right' },
        { title: 'blocks', align: 'right' },
      ],
      rows: daemons.map((daemon) => {
        const key = ['daemon', daemon.runtime, daemon.storageDriver, daemon.filesystem];
        return [[text(configurationLabel(daemon))], byteStat([...key, 'rss median'], daemon.rssMedianBytes), [stat([...key, 'n'], String(daemon.n))]];
      }),
    });
  }
  return blocks;
}
