import { strict as assert } from 'node:assert';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import { fastestSentence } from '../../pipeline/report/build-results-section.ts';
import type { Summary } from '../../pipeline/types.ts';
import { loadResultsFixture, loadSummaryFixture } from '../fixtures/results/load-fixture.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';
import { blocksUnder, figureList, fixtureDocument, plain, textOf } from './report-fixture.ts';

describe('buildDocument()', () => {
  const { summary, manifest } = loadSummaryPair('chapter5');
  const doc = fixtureDocument('chapter5');

  it('follows the chapter structure', () => {
    const headings = doc.blocks.filter((b) => b.kind === 'heading' && b.level <= 2).map((b) => (b as { text: string }).text);
    assert.deepEqual(headings, ['Measurements', 'Setup', 'Tests', 'Results', 'Interpretation', 'Recommendations', 'Summary', 'Skipped and failed cells']);
  });

  it('lists every skipped cell with its reason', () => {
    assert.deepEqual(textOf(blocksUnder(doc, 'Skipped')).slice(1), [
      'runc.copy.zfs.tiny.noop.exec.c1: zfs is not in /proc/filesystems and the kernel cannot load modules (install zfs-dkms from Debian contrib, then modprobe zfs)',
      'crun.copy.zfs.tiny.noop.exec.c1: zfs is not in /proc/filesystems and the kernel cannot load modules (install zfs-dkms from Debian contrib, then modprobe zfs)',
    ]);
  });

  it('lists every failed cell with its first error', () => {
    const wide = fixtureDocument('wide');
    const lines = textOf(blocksUnder(wide, 'Failed'));
    assert.equal(lines.length, 8);
    assert.match(lines[1] ?? '', /^lxd\.dir\.btrfs\.tiny\.noop\.exec\.c1: mount: .*wrong fs type/);
  });

  it('gives the setup-step medians per cell group', () => {
    const table = blocksUnder(doc, 'Setup steps').find((b) => b.kind === 'table');
    assert.ok(table && table.kind === 'table');
    assert.deepEqual(table.columns.map((c) => c.title), ['runtime · driver · filesystem', 'volume provisioning (ms)', 'runtime start (ms)', 'image import (ms)']);
    assert.equal(table.rows.length, 6);
    const setup = summary.setup.find((s) => s.groupId === 'runc.copy.ext4' && s.step === 'provision-volume');
    assert.equal(plain(table.rows[0]?.[1] ?? []), String(Number(setup?.medianMs.toPrecision(3))));
  });

  it('says what was measured: the matrix, each phase and its command, repetitions, warm-up, seed and limits', () => {
    const tests = textOf(blocksUnder(doc, 'Tests')).join('\n');
    for (const expected of ['Runtimes: runc, crun', 'Repetitions: 20 measured per cell, after 2 warm-up repetitions', 'Seed: 20251120', 'memory limited to 256 MiB, at most 256 processes', 'launch: starting the container', 'Mann–Whitney U']) {
      assert.ok(tests.includes(expected), expected);
    }
    assert.ok(blocksUnder(doc, 'Phases').some((b) => b.kind === 'table' && b.rows.length === 10));
  });

  it('summarises each configuration phase by phase, with median, interval, p95, n, errors and outliers, and the total', () => {
    const table = blocksUnder(doc, 'Results').find((b) => b.kind === 'table' && b.id === 'per-configuration');
    assert.ok(table && table.kind === 'table');
    assert.equal(table.rows.length, summary.cells.length * 6);
    const crunExt4 = summary.cells.find((c) => c.cellId === 'crun.copy.ext4.tiny.noop.exec.c1');
    const start = table.rows.findIndex((row) => plain(row[0] ?? []) === 'crun · ext4');
    const launch = table.rows[start + 1]?.map(plain);
    const stats = crunExt4?.phases.launch;
    assert.ok(stats);
    assert.deepEqual(launch, ['', 'launch', stats.medianMs.toPrecision(3), `${stats.ciLowMs.toPrecision(3)}–${stats.ciHighMs.toPrecision(3)}`, stats.p95Ms.toPrecision(3), '20', '0', String(stats.outliers)]);
    assert.deepEqual(table.rows[start + 5]?.slice(1, 3).map(plain), ['total', crunExt4?.totalMedianMs.toPrecision(3)]);
  });

  it('ranks the configurations by total life-cycle time with their isolation class', () => {
    const table = blocksUnder(doc, 'Results').find((b) => b.kind === 'table' && b.id === 'ranking');
    assert.ok(table && table.kind === 'table');
    assert.deepEqual(table.rows.map((row) => plain(row[1] ?? [])).slice(0, 3), ['crun · copy · ext4', 'crun · copy · xfs', 'crun · copy · btrfs']);
    assert.deepEqual(table.rows[0]?.map(plain).slice(0, 3), ['1', 'crun · copy · ext4', 'container']);
  });

  it('ranks each life-cycle shape on its own and names the shape and levers in the labels', () => {
    // The chapter5 cells again in the command shape, each 10 ms slower, and once more with reused network namespaces.
    const command = summary.cells.map((cell) => ({ ...cell, cellId: cell.cellId.replace('.exec.', '.command.'), lifecycle: 'command' as const, totalMedianMs: cell.totalMedianMs + 10 }));
    const reused = command.map((cell) => ({ ...cell, cellId: cell.cellId.replace('.command.', '.command.netns-reused.'), netns: 'reused' as const }));
    const shaped = buildDocument({ summary: { ...summary, cells: [...summary.cells, ...command, ...reused], comparisons: [] }, manifest, figures: [] });
    const table = blocksUnder(shaped, 'Results').find((b) => b.kind === 'table' && b.id === 'ranking');
    assert.ok(table && table.kind === 'table');
    assert.equal(table.columns[0]?.title, 'shape · netns');
    const firsts = table.rows.filter((row) => plain(row[1] ?? []) === '1').map((row) => [plain(row[0] ?? []), plain(row[2] ?? [])]);
    assert.deepEqual(firsts, [['exec · netns fresh', 'crun · copy · ext4'], ['command · netns fresh', 'crun · copy · ext4'], ['command · netns reused', 'crun · copy · ext4']]);
  });

  it('places each figure in the results, numbered from 1 in the order drawn, pointing at its SVG', () => {
    const figures = blocksUnder(doc, 'Results').filter((b) => b.kind === 'figure');
    assert.deepEqual(
      figures.map((b) => (b.kind === 'figure' ? [b.number, b.id, b.path] : [])),
      figureList('chapter5').map((f, i) => [i + 1, f.id, `figures/${f.id}.svg`]),
    );
  });

  it('names the fastest configuration of each phase with its median, interval and n', () => {
    const sentences = textOf(blocksUnder(doc, 'Results')).filter((line) => line.includes('has the shortest'));
    assert.equal(sentences.length, 5);
    const create = summary.cells.find((c) => c.cellId === 'crun.copy.ext4.tiny.noop.exec.c1')?.phases.create;
    assert.ok(create);
    assert.equal(sentences[0], `crun on ext4 has the shortest create phase: ${create.medianMs.toPrecision(3)} ms (95% CI ${create.ciLowMs.toPrecision(3)}–${create.ciHighMs.toPrecision(3)} ms), n = 20.`);
  });

  it('says so when no cell was measured, instead of an empty table', () => {
    const empty = buildDocument({ summary: { ...summary, cells: [], comparisons: [] }, manifest, figures: [] });
    const results = blocksUnder(empty, 'Results');
    assert.ok(!results.some((b) => b.kind === 'table'));
    assert.match(textOf(results)[0] ?? '', /^No cell produced a successful measurement/);
    assert.deepEqual(textOf(blocksUnder(empty, 'Recommendations')), ['Nothing was measured, so there is nothing to recommend yet.']);
  });

  it('says "None." for empty lists and does not mention set-aside lines when there are none', () => {
    const clean: Summary = { ...summary, skipped: [], failed: [], setAsideLines: 0 };
    const cleanDoc = buildDocument({ summary: clean, manifest, figures: [] });
    assert.deepEqual(textOf(blocksUnder(cleanDoc, 'Skipped')), ['None.']);
    assert.deepEqual(textOf(blocksUnder(cleanDoc, 'Failed')), ['None.']);
    assert.ok(!textOf(cleanDoc.blocks).some((line) => line.includes('set aside')));
  });

  it('builds from the analyse stage’s own golden summary too, whatever fields it has yet', () => {
    const golden = buildDocument({ summary: loadSummaryFixture(), manifest: loadResultsFixture().manifest, figures: [] });
    assert.deepEqual(textOf(blocksUnder(golden, 'Failed repetitions')).slice(1, 2), ['crun on xfs, execute: 1 of 20 measured repetitions failed']);
    assert.ok(textOf(blocksUnder(golden, 'Failed repetitions')).includes('1 line of samples.jsonl was torn or invalid and set aside, not analysed.'));
  });
});

describe('fastestSentence()', () => {
  const { summary } = loadSummaryPair('chapter5');

  it('names only the runtime when nothing else varies between the cells', () => {
    const ext4 = summary.cells.filter((c) => c.filesystem === 'ext4');
    assert.match(plain(fastestSentence(ext4, 'launch') ?? []), /^crun has the shortest launch phase: \d\.\d\d ms \(95% CI [\d.]+–[\d.]+ ms\), n = 20\.$/);
  });

  it('picks the cell listed first when two medians tie', () => {
    const [a, b] = summary.cells;
    assert.ok(a && b);
    const tie = [{ ...b }, { ...a, phases: { stop: b.phases.stop } }];
    assert.match(plain(fastestSentence(tie, 'stop') ?? []), /^runc on xfs /);
  });

  it('has nothing to say about a phase no cell measured', () => {
    assert.equal(fastestSentence([], 'create'), undefined);
  });

  it('marks every number as a statistic', () => {
    const sentence = fastestSentence(summary.cells, 'launch') ?? [];
    assert.deepEqual(sentence.filter((span) => /\d/.test(span.text) && !span.stat).map((span) => span.text), [' ms (95% CI ']);
  });
});
