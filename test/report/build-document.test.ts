import { strict as assert } from 'node:assert';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import { CHAPTER5_FIGURE_LIMIT } from '../../pipeline/report/chapter5/build-chapter5.ts';
import type { Block } from '../../pipeline/report/document-model.ts';
import { loadResultsFixture, loadSummaryFixture } from '../fixtures/results/load-fixture.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';
import { analysedWide, WIDE_QUESTIONS } from './analysed-fixture.ts';
import { blocksUnder, partBlocks, plain, textOf } from './report-fixture.ts';

const headingsOf = (blocks: Block[], maxLevel = 2) => blocks.filter((b) => b.kind === 'heading' && b.level <= maxLevel).map((b) => (b as { text: string }).text);

describe('buildDocument()', () => {
  const { summary, manifest } = analysedWide();
  const figures = [
    { id: 'ranking-exec', caption: 'ranking', placement: 'chapter5' as const },
    ...WIDE_QUESTIONS.map((question) => ({ id: `question-${question.id}`, caption: question.title, placement: 'chapter5' as const })),
    { id: 'phase-medians-1', caption: 'phases', placement: 'appendix' as const },
  ];
  const doc = buildDocument({ summary, manifest, figures });

  it('writes the thesis’s two chapters and an appendix, each under the section names the thesis uses', () => {
    assert.deepEqual(doc.parts.map((part) => part.id), ['chapter4', 'chapter5', 'appendix']);
    assert.deepEqual(headingsOf(partBlocks(doc, 'chapter4')), ['Benchmark tool', 'Setup', 'Tests']);
    assert.deepEqual(headingsOf(partBlocks(doc, 'chapter5')), ['Measurements', 'Results', 'Interpretation', 'Recommendations', 'Summary']);
    assert.equal(headingsOf(partBlocks(doc, 'appendix'))[0], 'Measurements in full');
  });

  it('opens chapter 5 with the answer: the recommended configuration, cited as a macro, then the headline table', () => {
    const [heading, opening, table] = partBlocks(doc, 'chapter5');
    assert.equal(heading?.kind, 'heading');
    assert.ok(opening?.kind === 'paragraph');
    const recommended = opening.content.find((span) => span.macro === 'RecommendedConfiguration');
    assert.equal(recommended?.text, 'docker · overlay2 · ext4');
    assert.ok(table?.kind === 'table' && table.number === '5.1');
  });

  it('never lets a configuration of the results beat the recommendation on the reference workload without being in the ranking', () => {
    const best = summary.headline!.recommended!;
    const ranking = blocksUnder(doc, 'Every runtime on the reference workload').find((b) => b.kind === 'table' && b.id === 'ranking');
    assert.ok(ranking && ranking.kind === 'table');
    const ranked = new Set(ranking.rows.map((row) => plain(row[2] ?? []).split(' · ')[0]));
    const faster = summary.cells.filter((cell) => cell.workload === 'grade-python' && cell.image === 'grader' && cell.concurrency === 1 && cell.totalMedianMs < best.totalMedianMs);
    for (const cell of faster) assert.ok(ranked.has(cell.runtime), cell.cellId);
  });

  it('says why the faster configurations are not recommended', () => {
    assert.match(textOf(blocksUnder(doc, 'Recommendations')).join('\n'), /Faster but not recommended: crun · overlay · ext4 .*pids not enforced/);
  });

  it('gives every declared question its own subsection with the effect, its CI, the Holm-adjusted p and a verdict', () => {
    const interpretation = blocksUnder(doc, 'Interpretation');
    assert.deepEqual(headingsOf(interpretation, 3), WIDE_QUESTIONS.map((question) => question.title));
    const text = textOf(blocksUnder(doc, 'Is crun faster than runc?')).join('\n');
    assert.match(text, /Holm-adjusted p/);
    assert.match(text, /Verdict: supported/);
  });

  it('places at most ten figures in chapter 5, and the others in the appendix', () => {
    const many = [...Array(14).keys()].map((index) => ({ id: `question-q${index}`, caption: 'q', placement: 'chapter5' as const }));
    const questions = many.map((figure, index) => ({ ...WIDE_QUESTIONS[0]!, id: `q${index}`, title: `Question ${index}?` }));
    const crowded = buildDocument({ summary: { ...summary, questions: questions.map((question) => ({ ...summary.questions![0]!, id: question.id, title: question.title })) }, manifest, figures: [...figures, ...many] });
    assert.ok(partBlocks(crowded, 'chapter5').filter((b) => b.kind === 'figure').length <= CHAPTER5_FIGURE_LIMIT);
    assert.deepEqual(partBlocks(doc, 'appendix').filter((b) => b.kind === 'figure').map((b) => (b as { id: string }).id), ['phase-medians-1']);
  });

  it('sums up in at most six bullets', () => {
    const bullets = blocksUnder(doc, 'Summary').filter((b) => b.kind === 'list').flatMap((b) => (b.kind === 'list' ? b.items : []));
    assert.ok(bullets.length >= 1 && bullets.length <= 6);
  });

  it('groups the skipped cells by cause in one appendix table, and writes every appendix table as a CSV of its own', () => {
    const skips = blocksUnder(doc, 'Skipped and failed cells').find((b) => b.kind === 'table');
    assert.ok(skips && skips.kind === 'table');
    assert.equal(skips.rows.length, summary.skippedByReason!.length);
    const stems = partBlocks(doc, 'appendix').flatMap((b) => (b.kind === 'table' ? [b.csv] : []));
    assert.ok(stems.every((stem) => stem !== undefined));
    assert.equal(new Set(stems).size, stems.length);
  });

  it('numbers tables and figures per part and points every reference at its number', () => {
    const numbers = partBlocks(doc, 'chapter5').flatMap((b) => (b.kind === 'table' && b.number ? [b.number] : []));
    assert.deepEqual(numbers.slice(0, 2), ['5.1', '5.2']);
    assert.equal(partBlocks(doc, 'appendix').find((b) => b.kind === 'table')?.kind === 'table' ? (partBlocks(doc, 'appendix').find((b) => b.kind === 'table') as { number: string }).number : '', 'A.1');
    assert.match(textOf(partBlocks(doc, 'chapter5')).join('\n'), /Table 5\.1 has the numbers/);
  });

  it('labels the appendix’s comparisons exploratory, one Holm family', () => {
    assert.match(textOf(blocksUnder(doc, 'Exploratory comparisons')).join('\n'), /one exploratory family whose p-values are Holm-adjusted together/);
  });

  it('says the matrix probed no isolation instead of recommending what was not checked', () => {
    const unprobed = { ...summary, ranking: { ...summary.ranking!, shapes: summary.ranking!.shapes.map((shape) => ({ ...shape, entries: shape.entries.map((e) => ({ ...e, isolationHolds: false, isolationProbed: false })) })) } };
    const headline = { ...summary.headline!, basis: 'isolation not probed' as const, recommended: unprobed.ranking.shapes[0]!.entries[0]! };
    const opening = partBlocks(buildDocument({ summary: { ...unprobed, headline }, manifest, figures: [] }), 'chapter5')[1];
    assert.ok(opening?.kind === 'paragraph');
    assert.match(plain(opening.content), /this matrix probed no isolation, so it is not yet a recommendation/);
  });

  it('answers plainly when the matrix declares no reference workload', () => {
    const { summary: old, manifest: oldManifest } = loadSummaryPair('chapter5');
    const plainDoc = buildDocument({ summary: old, manifest: oldManifest, figures: [] });
    assert.match(textOf(partBlocks(plainDoc, 'chapter5'))[0] ?? '', /declares no reference workload/);
  });

  it('keeps the setup and the tests in chapter 4 and the commands of every phase in the appendix', () => {
    const { summary: small, manifest: smallManifest } = loadSummaryPair('chapter5');
    const smallDoc = buildDocument({ summary: small, manifest: smallManifest, figures: [] });
    const tests = textOf(blocksUnder(smallDoc, 'Tests')).join('\n');
    for (const expected of ['Runtimes: runc, crun', 'Repetitions: 20 measured per cell, after 2 warm-up repetitions', 'Seed: 20251120', 'launch: starting the container', 'Mann–Whitney U']) {
      assert.ok(tests.includes(expected), expected);
    }
    assert.ok(blocksUnder(smallDoc, 'Phase commands').some((b) => b.kind === 'table' && b.rows.length === 10));
    const table = blocksUnder(smallDoc, 'Setup steps').find((b) => b.kind === 'table');
    assert.ok(table && table.kind === 'table' && table.rows.length === 6);
  });

  it('builds from the analyse stage’s own golden summary too, whatever fields it has yet', () => {
    const golden = buildDocument({ summary: loadSummaryFixture(), manifest: loadResultsFixture().manifest, figures: [] });
    assert.ok(textOf(blocksUnder(golden, 'Skipped and failed cells')).some((line) => line.includes('set aside')));
  });
});
