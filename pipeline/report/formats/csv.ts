import { plainText, type Block, type ReportDocument } from '../document-model.ts';
import { partsInOrder, type ReportFile, type ReportFormat } from './report-format.ts';

/** Where a table's CSV goes, relative to the report. */
export function csvPath(stem: string): string {
  return `tables/${stem}.csv`;
}

/** A stem that is one plain file name: no folder, no dot-file, nothing a shell would mind. */
const SAFE_STEM = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Every table with a `csv` stem, in any part, as tables/<csv>.csv, for a spreadsheet or a
 * plotting script: RFC 4180 (a field with a comma, a double quote, a CR or LF is quoted and
 * its quotes doubled), the column titles as the header row, each cell as the text a reader
 * sees (its spans' text joined, no markup), "\n" line ends and one at the end.
 */
export const csvFormat: ReportFormat = {
  id: 'csv',
  fileNames: (doc) => csvTables(doc).map((table) => csvPath(table.csv)),
  render: (doc) => renderCsv(doc),
};

type CsvTable = Extract<Block, { kind: 'table' }> & { csv: string };

/**
 * The tables with a CSV stem, in document order.
 *
 * @throws Error when two tables share a stem (one file would overwrite the other) or a stem is not a plain file name.
 */
function csvTables(doc: ReportDocument): CsvTable[] {
  const tables = partsInOrder(doc).flatMap((part) => part.blocks.filter((block): block is CsvTable => block.kind === 'table' && block.csv !== undefined));
  const seen = new Set<string>();
  for (const table of tables) {
    if (!SAFE_STEM.test(table.csv)) throw new Error(`table ${table.id ?? table.caption ?? ''} has CSV stem ${JSON.stringify(table.csv)}, which is not a plain file name`);
    if (seen.has(table.csv)) throw new Error(`two tables of the report have the CSV stem ${table.csv}`);
    seen.add(table.csv);
  }
  return tables;
}

/** One file per table with a `csv` stem. */
export function renderCsv(doc: ReportDocument): ReportFile[] {
  return csvTables(doc).map((table) => ({ path: csvPath(table.csv), content: tableCsv(table) }));
}

/** A table as RFC 4180 CSV; a short row is filled up with empty fields to the header's width. */
export function tableCsv(table: Extract<Block, { kind: 'table' }>): string {
  const header = table.columns.map((column) => column.title);
  const rows = table.rows.map((row) => {
    const cells = row.map(plainText);
    while (cells.length < header.length) cells.push('');
    return cells;
  });
  return [header, ...rows].map((fields) => `${fields.map(csvField).join(',')}\n`).join('');
}

/** A field as RFC 4180 writes it: quoted when it holds a comma, a double quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
