import type { CompareReport, CompareRow, RunLabel } from './compare-runs.ts';

const VERDICT_ORDER = ['regressed', 'improved', 'missing'] as const;

/**
 * The text `crbench compare` prints: which runs, what differs between their hosts, an
 * aligned table of the metrics that changed (regressed first, then improved, then missing;
 * report order within each; a cell missing on one side in every phase is one line, "all
 * phases"), and one summary line with the counts and the rule applied.
 *
 * ```
 * baseline:  chapter5 @3f9c2e7 (2025-11-20T09:14:03.512Z)
 * candidate: chapter5 @8d1e0a4 (2025-11-21T02:00:00.000Z)
 *
 * cell                              phase   n (b/c)  baseline ms  candidate ms  ratio  95% CI          p        verdict
 * runc-copy-ext4-tiny-noop-c1       launch    20/20         7.48          9.01  1.205  [1.150, 1.262]  <0.0001  regressed
 *
 * 1 regressed, 0 improved, 29 unchanged, 0 missing (threshold ±10%; changed = beyond it and Holm-adjusted p < 0.05 and the 95% CI of the ratio excludes 1; 2000 resamples, seed 1)
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
  if (changed.length === 0) lines.push('no metric changed', '');
  else lines.push(...formatTable(changed, `${confidencePercent}% CI`), '');
  const { counts } = report;
  lines.push(
    `${counts.regressed} regressed, ${counts.improved} improved, ${counts.unchanged} unchanged, ${counts.missing} missing ` +
      `(threshold ±${report.thresholdPercent}%; changed = beyond it and Holm-adjusted p < ${report.significanceLevel} and the ` +
      `${confidencePercent}% CI of the ratio excludes 1; ${report.bootstrap.resamples} resamples, seed ${report.seed})`,
  );
  return `${lines.join('\n')}\n`;
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
  { title: 'verdict', align: 'left', cell: (row) => (row.missingIn === null ? row.verdict : `missing in ${row.missingIn}`) },
];

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
