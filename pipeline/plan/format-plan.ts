import type { Cell } from '../types.ts';

type Row = [id: string, status: string, reason: string];

/**
 * The plan as an aligned text table for a terminal, one cell per line in run order, then a
 * count line:
 * ```
 * CELL                        STATUS    REASON
 * runc.copy.ext4.tiny.noop.c1 feasible
 * runc.copy.zfs.tiny.noop.c1  skipped   filesystem zfs: …
 * 2 cells: 1 feasible, 1 skipped
 * ```
 * Reasons are not wrapped: a long line is still one grep-able line per cell.
 */
export function formatPlan(cells: Cell[]): string {
  const header: Row = ['CELL', 'STATUS', 'REASON'];
  const rows: Row[] = cells.map((cell) => [cell.id, cell.feasible ? 'feasible' : 'skipped', cell.skipReason ?? '']);
  const idWidth = Math.max(...[header, ...rows].map(([id]) => id.length));
  const statusWidth = Math.max(...[header, ...rows].map(([, status]) => status.length));
  const render = ([id, status, reason]: Row) => `${id.padEnd(idWidth)}  ${status.padEnd(statusWidth)}  ${reason}`.trimEnd();

  const feasible = cells.filter((cell) => cell.feasible).length;
  const count = `${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}: ${feasible} feasible, ${cells.length - feasible} skipped`;
  return [render(header), ...rows.map(render), count].join('\n') + '\n';
}
