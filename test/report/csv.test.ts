import { strict as assert } from 'node:assert';
import { code, text, type Block, type ReportDocument } from '../../pipeline/report/document-model.ts';
import { csvField, csvFormat, renderCsv } from '../../pipeline/report/formats/csv.ts';
import { REPORT_FORMATS } from '../../pipeline/report/formats/index.ts';
import { docOf } from './report-fixture.ts';

type Table = Extract<Block, { kind: 'table' }>;
const table = (csv: string | undefined, rows: Table['rows'], columns: Table['columns'] = [{ title: 'configuration', align: 'left' }, { title: 'median (ms)', align: 'right' }]): Table => ({
  kind: 'table',
  columns,
  rows,
  ...(csv === undefined ? {} : { csv }),
});

describe('csvFormat', () => {
  it('is registered with the other formats', () => {
    assert.ok(REPORT_FORMATS.includes(csvFormat));
    assert.equal(csvFormat.id, 'csv');
  });

  it('writes each table with a csv stem, in any part, as tables/<stem>.csv, in document order', () => {
    const doc: ReportDocument = {
      title: 't',
      macroPrefix: 'crb',
      parts: [
        { id: 'chapter5', blocks: [{ kind: 'heading', level: 1, text: 'Measurements' }, table('ranking', [[[text('crun')], [text('1.5')]]]), table(undefined, [])] },
        { id: 'appendix', blocks: [{ kind: 'heading', level: 1, text: 'Measurements in full' }, table('per-configuration', [])] },
      ],
    };
    const files = renderCsv(doc);
    assert.deepEqual(files.map((file) => file.path), ['tables/ranking.csv', 'tables/per-configuration.csv']);
    assert.deepEqual(csvFormat.fileNames(doc), ['tables/ranking.csv', 'tables/per-configuration.csv']);
    assert.equal(files[0]?.content, 'configuration,median (ms)\ncrun,1.5\n');
    assert.equal(files[1]?.content, 'configuration,median (ms)\n');
  });

  it('writes nothing for a document whose tables have no csv stem', () => {
    const doc = docOf([table(undefined, [[[text('a')], [text('1')]]])]);
    assert.deepEqual(renderCsv(doc), []);
    assert.deepEqual(csvFormat.fileNames(doc), []);
  });

  it('quotes a field with a comma, a double quote or a line break, doubling its quotes (RFC 4180)', () => {
    assert.equal(csvField('plain text 1.5'), 'plain text 1.5');
    assert.equal(csvField('a, b'), '"a, b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('cr\r'), '"cr\r"');
    const [file] = renderCsv(docOf([table('t', [[[text('runc, '), code('sh -c "x"')], [text('2')]]], [{ title: 'a "b", c', align: 'left' }, { title: 'n', align: 'right' }])]));
    assert.equal(file?.content, '"a ""b"", c",n\n"runc, sh -c ""x""",2\n');
  });

  it('writes a cell as the text a reader sees: its spans joined, no markup, statistics and cited numbers as their text', () => {
    const [file] = renderCsv(docOf([table('t', [[[text('crun · '), code('ext4_x')], [{ text: '11.7', stat: ['a', 'ms'] }, text(' / '), { text: '3', macro: 'Count' }]]])]));
    assert.equal(file?.content, 'configuration,median (ms)\ncrun · ext4_x,11.7 / 3\n');
  });

  it('fills a short row up to the header’s width, and ends every line, the last too, with \\n', () => {
    const [file] = renderCsv(docOf([table('t', [[[text('only')]]])]));
    assert.equal(file?.content, 'configuration,median (ms)\nonly,\n');
  });

  it('throws when two tables have the same csv stem, even in two parts', () => {
    const doc: ReportDocument = {
      title: 't',
      macroPrefix: 'crb',
      parts: [
        { id: 'chapter5', blocks: [table('ranking', [])] },
        { id: 'appendix', blocks: [table('ranking', [])] },
      ],
    };
    assert.throws(() => renderCsv(doc), /two tables of the report have the CSV stem ranking/);
    assert.throws(() => csvFormat.fileNames(doc), /CSV stem ranking/);
  });

  it('throws on a stem that is not one plain file name', () => {
    for (const stem of ['../escape', 'a/b', '.hidden', '']) assert.throws(() => renderCsv(docOf([table(stem, [])])), /not a plain file name/, stem);
  });

  it('gives the same bytes for the same document', () => {
    const doc = docOf([table('t', [[[text('a,b')], [text('1')]]])]);
    assert.deepEqual(renderCsv(doc), renderCsv(doc));
  });
});
