import { strict as assert } from 'node:assert';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import { fastestSentence } from '../../pipeline/report/build-results-section.ts';
import type { Block, Inline, ReportDocument } from '../../pipeline/report/document-model.ts';
import type { Summary } from '../../pipeline/types.ts';
import { loadResultsFixture, loadSummaryFixture } from '../fixtures/results/load-fixture.ts';

const plain = (inline: Inline) => inline.map((span) => span.text).join('');

/** The blocks between heading `title` and the next heading of the same or a higher level. */
function blocksUnder(doc: ReportDocument, title: string): Block[] {
  const start = doc.blocks.findIndex((b) => b.kind === 'heading' && b.text === title);
  assert.ok(start >= 0, `no heading ${title}`);
  const level = (doc.blocks[start] as { level: number }).level;
  const end = doc.blocks.findIndex((b, i) => i > start && b.kind === 'heading' && b.level <= level);
  return doc.blocks.slice(start + 1, end < 0 ? undefined : end);
}

/** All text of some blocks, one line per paragraph or list item. */
function textOf(blocks: Block[]): string[] {
  return blocks.flatMap((b) => (b.kind === 'paragraph' ? [plain(b.content)] : b.kind === 'list' ? b.items.map(plain) : []));
}

describe('buildDocument()', () => {
  const { manifest } = loadResultsFixture();
  const summary = loadSummaryFixture();
  const figures = [{ id: 'phase-medians', caption: 'Median per phase.' }];
  const doc = buildDocument({ summary, manifest, figures });

  it('follows the chapter structure: Measurements, Setup, Results, Skipped and failed cells', () => {
    const headings = doc.blocks.filter((b) => b.kind === 'heading' && b.level <= 2).map((b) => (b as { text: string }).text);
    assert.deepEqual(headings, ['Measurements', 'Setup', 'Results', 'Skipped and failed cells']);
  });

  it('lists every skipped cell of the fixture with its reason', () => {
    assert.deepEqual(textOf(blocksUnder(doc, 'Skipped')).slice(1), [
      'runc-bundle-zfs-busybox-true-c1: zfs is not in /proc/filesystems and the kernel cannot load modules',
      'crun-bundle-zfs-busybox-true-c1: zfs is not in /proc/filesystems and the kernel cannot load modules',
    ]);
  });

  it('lists every failed cell of the fixture with its first error', () => {
    const lines = textOf(blocksUnder(doc, 'Failed'));
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', /^runc-bundle-btrfs-busybox-true-c1: mount: .*wrong fs type/);
  });

  it('lists the failed repetitions of cells that otherwise succeeded', () => {
    assert.deepEqual(textOf(blocksUnder(doc, 'Failed repetitions')).slice(1, 2), ['crun on xfs, execute: 1 of 20 measured repetitions failed']);
  });

  it('mentions the set-aside torn line', () => {
    assert.ok(textOf(blocksUnder(doc, 'Failed repetitions')).includes('1 line of samples.jsonl was torn or invalid and set aside, not analysed.'));
  });

  it('says "None." for empty lists and does not mention set-aside lines when there are none', () => {
    const clean: Summary = { ...summary, skipped: [], failed: [], setAsideLines: 0 };
    const cleanDoc = buildDocument({ summary: clean, manifest, figures });
    assert.deepEqual(textOf(blocksUnder(cleanDoc, 'Skipped')), ['None.']);
    assert.deepEqual(textOf(blocksUnder(cleanDoc, 'Failed')), ['None.']);
    assert.ok(!textOf(cleanDoc.blocks).some((line) => line.includes('set aside')));
  });

  it('names the fastest configuration of each phase with its median, interval and n', () => {
    const sentences = textOf(blocksUnder(doc, 'Results')).filter((line) => line.includes('has the shortest'));
    assert.equal(sentences.length, 5);
    assert.equal(sentences[0], 'crun on ext4 has the shortest create phase: 11.7 ms (95% CI 11.3–12.3 ms), n = 20.');
  });

  it('marks a phase whose n differs from its cell’s in the results table', () => {
    const table = blocksUnder(doc, 'Results').find((b) => b.kind === 'table');
    assert.ok(table && table.kind === 'table');
    const crunXfs = table.rows.find((row) => plain(row[0] ?? []) === 'crun' && plain(row[2] ?? []) === 'xfs');
    assert.equal(plain(crunXfs?.[8] ?? []), '8.53 [8.12–8.67] (n = 19)');
    assert.deepEqual(crunXfs?.slice(-2).map(plain), ['20', '1']);
  });

  it('places each figure in the results, numbered from 1, pointing at its SVG', () => {
    assert.deepEqual(
      blocksUnder(doc, 'Results').filter((b) => b.kind === 'figure'),
      [{ kind: 'figure', id: 'phase-medians', number: 1, caption: 'Median per phase.', path: 'figures/phase-medians.svg' }],
    );
  });

  it('says so when no cell was measured, instead of an empty table', () => {
    const empty = buildDocument({ summary: { ...summary, cells: [] }, manifest, figures: [] });
    const results = blocksUnder(empty, 'Results');
    assert.ok(!results.some((b) => b.kind === 'table'));
    assert.match(textOf(results)[0] ?? '', /^No cell produced a successful measurement/);
  });
});

describe('fastestSentence()', () => {
  const summary = loadSummaryFixture();

  it('names only the runtime when nothing else varies between the cells', () => {
    const ext4 = summary.cells.filter((c) => c.filesystem === 'ext4');
    assert.match(fastestSentence(ext4, 'launch') ?? '', /^crun has the shortest launch phase: 3\.27 ms \(95% CI 3\.04–3\.35 ms\), n = 20\.$/);
  });

  it('picks the cell listed first when two medians tie', () => {
    const [a, b] = summary.cells;
    assert.ok(a && b);
    const tie = [{ ...b }, { ...a, phases: { stop: b.phases.stop } }];
    assert.match(fastestSentence(tie, 'stop') ?? '', /^runc on xfs /);
  });

  it('has nothing to say about a phase no cell measured', () => {
    assert.equal(fastestSentence([], 'create'), undefined);
  });
});
