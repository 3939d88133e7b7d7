import { LIFECYCLE_PHASES, type Summary } from '../../types.ts';
import { axisValuesLabel, cellStatKey, varyingAxes } from '../describe-cell.ts';
import { stat, text, type Block, type Inline, type TableColumn } from '../document-model.ts';
import { formatMs } from '../format-numbers.ts';

export const SUMMARY_TABLE_ID = 'per-configuration';

/** "95% CI", from the summary's confidence level. */
export function ciLabel(summary: Pick<Summary, 'bootstrap'>): string {
  return `${Math.round((summary.bootstrap?.confidence ?? 0.95) * 100)}% CI`;
}

/** The per-configuration table: six rows per cell (five phases and the total). */
export function buildSummaryTable(summary: Summary): Block {
  const cells = summary.cells;
  const axes = varyingAxes(cells);
  const labelAxes = axes.includes('runtime') ? axes : ['runtime' as const, ...axes];
  const columns: TableColumn[] = [
    { title: labelAxes.length > 3 ? 'configuration' : labelAxes.map((axis) => AXIS_TITLE[axis]).join(' · '), align: 'left' },
    { title: 'phase', align: 'left' },
    { title: 'median (ms)', align: 'right' },
    { title: `${ciLabel(summary)} (ms)`, align: 'right' },
    { title: 'p95 (ms)', align: 'right' },
    { title: 'n', align: 'right' },
    { title: 'errors', align: 'right' },
    { title: 'outliers', align: 'right' },
  ];
  const rows: Inline[][] = [];
  const groupStarts: number[] = [];
  // A long name goes over two rows, the configuration above image · workload · N, so
  // that the column stays narrow instead of wrapping.
  const machineAxes = labelAxes.filter((axis) => axis === 'runtime' || axis === 'storageDriver' || axis === 'filesystem');
  const jobAxes = labelAxes.filter((axis) => !(machineAxes as readonly string[]).includes(axis));
  for (const cell of cells) {
    const key = cellStatKey(cell, cells);
    if (rows.length > 0) groupStarts.push(rows.length);
    const whole = axisValuesLabel(cell, labelAxes);
    const lines = whole.length <= LABEL_LINE_CHARS || jobAxes.length === 0 ? [whole] : [axisValuesLabel(cell, machineAxes), axisValuesLabel(cell, jobAxes)];
    LIFECYCLE_PHASES.forEach((phase, index) => {
      const stats = cell.phases[phase];
      const label: Inline = [text(lines[index] ?? '')];
      if (!stats) {
        rows.push([label, [text(phase)], [text('not measured')], [text('—')], [text('—')], [text('0')], [text('—')], [text('—')]]);
        return;
      }
      rows.push([
        label,
        [text(phase)],
        [stat([...key, phase, 'median ms'], formatMs(stats.medianMs))],
        [stat([...key, phase, 'ci low ms'], formatMs(stats.ciLowMs)), text('–'), stat([...key, phase, 'ci high ms'], formatMs(stats.ciHighMs))],
        [stat([...key, phase, 'p95 ms'], formatMs(stats.p95Ms))],
        [stat([...key, phase, 'n'], String(stats.n))],
        [stat([...key, phase, 'errors'], String(stats.errors))],
        typeof stats.outliers === 'number' ? [stat([...key, phase, 'outliers'], String(stats.outliers))] : [text('—')],
      ]);
    });
    rows.push([[text('')], [text('total')], [stat([...key, 'total', 'median ms'], formatMs(cell.totalMedianMs))], [text('—')], [text('—')], [text('')], [text('')], [text('')]]);
  }
  return {
    kind: 'table',
    id: SUMMARY_TABLE_ID,
    number: '1',
    caption:
      'Every measured configuration' +
      (labelAxes.length > 3 ? ` (${labelAxes.map((axis) => AXIS_TITLE[axis]).join(' · ')})` : '') +
      `: median duration per phase with its bootstrap ${ciLabel(summary)}, 95th percentile, n, failed repetitions and outliers; the total is the sum of the phase medians.`,
    columns,
    rows,
    groupStarts,
  };
}

/** A configuration name longer than this goes over two rows of the table. */
const LABEL_LINE_CHARS = 24;

const AXIS_TITLE: Record<string, string> = {
  runtime: 'runtime',
  storageDriver: 'driver',
  filesystem: 'filesystem',
  image: 'image',
  workload: 'workload',
  lifecycle: 'shape',
  netns: 'netns',
  cgroup: 'cgroup',
  concurrency: 'N',
};

/**
 * The ranking by total life-cycle time: within each combination of image, workload and
 * concurrency (ranking across workloads would compare different jobs), fastest first,
 * with each configuration's isolation class and its total relative to the fastest.
 */
