import { minReachablePValue } from '../statistics/mann-whitney.ts';
import type { CompareReport, CompareRow, RunLabel } from './compare-runs.ts';

const VERDICT_ORDER = ['regressed', 'improved', 'untestable', 'missing'] as const;

/**
 * The text `crbench compare` prints: which runs, what differs between their hosts, an
 * aligned table of the metrics that changed (regressed first, then improved, then the rows
 * that were not testable — "not testable at n = 3 vs 3", their sizes too small for any p to
 * reach the level —, then missing; report order within each; a cell missing on one side in
 * every phase is one line, "all phases"), and one summary line with the counts and the rule
 * applied. When rows were not testable, a second line says what that means: that the
 * comparison could not detect a change at that n when no compared row could (or when rows
 * that moved beyond the threshold could not), how many repetitions a side would do, and that
 * those rows are not "unchanged".
 *
 * ```
 * baseline:  chapter5 @3f9c2e7 (2025-11-20T09:14:03.512Z)
 * candidate: chapter5 @8d1e0a4 (2025-11-21T02:00:00.000Z)
 *
 * cell                              phase   n (b/c)  baseline ms  candidate ms  ratio  95% CI          p        verdict
 * runc-copy-ext4-tiny-noop-c1       launch    20/20         7.48          9.01  1.205  [1.150, 1.262]  <0.0001  regressed
 *
 * 1 regressed, 0 improved, 29 unchanged, 0 not testable, 0 missing (threshold ±10%; changed = beyond it and Holm-adjusted p < 0.05 and the 95% CI of the ratio excludes 1; 2000 resamples, seed 1)
 * ```
 *
 * and for two runs of 3 repetitions, the candidate 30 % slower:
 *
 * ```
 * cell  phase   n (b/c)  baseline ms  candidate ms  ratio  95% CI          p (Holm)  verdict
 * a     create      3/3        24.61         32.00  1.300  [1.193, 1.404]  1.0000    not testable at n = 3 vs 3
 * …
 * 0 regressed, 0 improved, 0 unchanged, 6 not testable, 0 missing (…)
 * this comparison could not detect a change at n = 3 vs 3: …
 * ```
 */
export function formatCompareReport(report: CompareReport): string {
  const lines = [`baseline:  ${describeRun(report.baseline)}`, `candidate: ${describeRun(report.candidate)}`];
  if (report.differences.length > 0) {
    lines.push('', 'the runs differ in (a change may come from these):', ...report.differences.map((d) => `  ${d}`));
  }
  lines.push('');
  const changed = collapseMissingCells(
    VERDICT_ORDER.flatMap((verdict) => report.rows.filter((row) => row.verdict === verdict)),
    report.rows,
  );
  const confidencePercent = Math.round(report.bootstrap.confidence * 100);
  const { counts } = report;
  if (changed.length === 0) lines.push('no metric changed', '');
  else {
    if (counts.untestable === changed.length) lines.push('no change detected, but these rows could not have shown one:');
    lines.push(...formatTable(changed, `${confidencePercent}% CI`), '');
  }
  lines.push(
    `${counts.regressed} regressed, ${counts.improved} improved, ${counts.unchanged} unchanged, ${counts.untestable} not testable, ` +
      `${counts.missing} missing (threshold ±${report.thresholdPercent}%; changed = beyond it and Holm-adjusted p < ${report.significanceLevel} ` +
      `and the ${confidencePercent}% CI of the ratio excludes 1; ${report.bootstrap.resamples} resamples, seed ${report.seed})`,
  );
  const untestable = describeUntestable(report);
  if (untestable !== null) lines.push(untestable);
  return `${lines.join('\n')}\n`;
}

/** "n = 3 vs 3", the sizes a row was compared at (baseline vs candidate). */
function sizesOf(row: CompareRow): string {
  return `n = ${row.baselineN} vs ${row.candidateN}`;
}

/**
 * The line after the counts when rows were not testable, or null when none was. It names the
 * sizes at which no change could be seen and the smallest p those sizes reach, and says
 * whether the whole comparison was blind (no compared row testable) or which changes went
 * unseen (rows not testable whose ratio is beyond the threshold), and how many repetitions a
 * side would have let every compared row reach the level.
 */
function describeUntestable(report: CompareReport): string | null {
  const rows = report.rows.filter((row) => row.verdict === 'untestable');
  if (rows.length === 0) return null;
  const compared = report.rows.filter((row) => row.verdict !== 'missing');
  const sizes = [...new Set(rows.map(sizesOf))];
  const floors = [...new Set(rows.map((row) => `${formatFloor(row.minPValue)} at ${sizesOf(row).slice(4)}`))];
  const level = report.significanceLevel;
  const why =
    `no p-value could fall below ${level} after Holm's adjustment over ${compared.length} compared rows ` +
    `(smallest reachable Mann-Whitney p: ${floors.join(', ')})`;
  const needed = repetitionsToDetect(compared.length, level);
  const advice = needed === null ? '' : `; ${needed} repetitions a side would let every row show a change`;
  const threshold = report.thresholdPercent / 100;
  const moved = rows.filter((row) => row.ratio !== null && Math.abs(row.ratio - 1) > threshold);
  if (rows.length === compared.length) {
    const unseen = moved.length > 0 ? ` (${moved.length} rows moved beyond ±${report.thresholdPercent}% unseen)` : '';
    return `this comparison could not detect a change at ${sizes.join(', ')}${unseen}: ${why}${advice}; not testable is not unchanged`;
  }
  const which = moved.length > 0 ? `${moved.length} of them moved beyond ±${report.thresholdPercent}% undetectably; ` : '';
  const were = rows.length === 1 ? '1 row was' : `${rows.length} rows were`;
  return `${were} not testable at ${sizes.join(', ')} (${which}${why})${advice}; not testable is not unchanged`;
}

/**
 * The fewest repetitions r a side at which `rows` compared rows of r against r can each reach
 * Holm-adjusted p < level (rows · minReachablePValue(r, r) < level); null beyond 1000.
 */
export function repetitionsToDetect(rows: number, level: number): number | null {
  for (let r = 2; r <= 1000; r++) if (Math.max(rows, 1) * minReachablePValue(r, r) < level) return r;
  return null;
}

function formatFloor(value: number | null): string {
  if (value === null) return '–';
  return value < 0.0001 ? value.toExponential(2) : value.toFixed(4);
}

function describeRun(run: RunLabel): string {
  return `${run.matrixName} @${run.gitCommit === null ? 'unknown commit' : run.gitCommit.slice(0, 7)} (${run.startedAt})`;
}

/** A row standing for every phase of a cell that one side lacks entirely. */
type TableRow = CompareRow | { cellId: string; phase: 'all phases'; missingIn: CompareRow['missingIn'] };

/**
 * Folds the rows of a cell that one run lacks altogether (every row of the cell in the
 * report is missing on that side, with no sample there) into one "all phases" row.
 */
function collapseMissingCells(changed: CompareRow[], allRows: CompareRow[]): TableRow[] {
  const absentFrom = new Map<string, CompareRow['missingIn']>();
  const rowsOf = new Map<string, CompareRow[]>();
  for (const row of allRows) rowsOf.set(row.cellId, [...(rowsOf.get(row.cellId) ?? []), row]);
  for (const [cellId, rows] of rowsOf) {
    const side = rows[0]!.missingIn;
    const absent = (row: CompareRow) =>
      row.verdict === 'missing' && row.missingIn === side && (side === 'candidate' ? row.candidateN : row.baselineN) === 0;
    if (rows.length > 1 && (side === 'baseline' || side === 'candidate') && rows.every(absent)) absentFrom.set(cellId, side);
  }
  const table: TableRow[] = [];
  const folded = new Set<string>();
  for (const row of changed) {
    const side = absentFrom.get(row.cellId);
    if (side === undefined) table.push(row);
    else if (!folded.has(row.cellId)) {
      folded.add(row.cellId);
      table.push({ cellId: row.cellId, phase: 'all phases', missingIn: side });
    }
  }
  return table;
}

type Align = 'left' | 'right';
const COLUMNS: { title: string; align: Align; cell: (row: CompareRow) => string }[] = [
  { title: 'cell', align: 'left', cell: (row) => row.cellId },
  { title: 'phase', align: 'left', cell: (row) => row.phase },
  { title: 'n (b/c)', align: 'right', cell: (row) => `${row.baselineN}/${row.candidateN}` },
  { title: 'baseline ms', align: 'right', cell: (row) => formatMs(row.baselineMedianMs) },
  { title: 'candidate ms', align: 'right', cell: (row) => formatMs(row.candidateMedianMs) },
  { title: 'ratio', align: 'right', cell: (row) => (row.ratio === null ? '–' : row.ratio.toFixed(3)) },
  {
    title: 'CI', // replaced by e.g. "95% CI" in formatTable
    align: 'left',
    cell: (row) => (row.ciLow === null || row.ciHigh === null ? '–' : `[${row.ciLow.toFixed(3)}, ${row.ciHigh.toFixed(3)}]`),
  },
  { title: 'p (Holm)', align: 'left', cell: (row) => formatP(row.adjustedPValue) },
  { title: 'verdict', align: 'left', cell: verdictOf },
];

function verdictOf(row: CompareRow): string {
  if (row.missingIn !== null) return `missing in ${row.missingIn}`;
  if (row.verdict === 'untestable') return `not testable at ${sizesOf(row)}`;
  return row.verdict;
}

function formatTable(rows: TableRow[], ciTitle: string): string[] {
  const cellsOf = (row: TableRow) =>
    row.phase === 'all phases'
      ? [row.cellId, row.phase, '–', '–', '–', '–', '–', '–', `missing in ${row.missingIn}`]
      : COLUMNS.map((column) => column.cell(row));
  const table = [COLUMNS.map((column) => (column.title === 'CI' ? ciTitle : column.title)), ...rows.map(cellsOf)];
  const widths = COLUMNS.map((_column, index) => Math.max(...table.map((cells) => cells[index]!.length)));
  return table.map((cells) =>
    cells
      .map((text, index) => (COLUMNS[index]!.align === 'right' ? text.padStart(widths[index]!) : text.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Medians to 0.01 ms: phases last milliseconds to seconds, and the clock is finer than that. */
function formatMs(value: number | null): string {
  return value === null ? '–' : value.toFixed(2);
}

function formatP(value: number | null): string {
  if (value === null) return '–';
  return value < 0.0001 ? '<0.0001' : value.toFixed(4);
}
