import { strict as assert } from 'node:assert';
import { buildFigures } from '../../pipeline/chart/figures.ts';
import { MAX_ASPECT, MIN_FONT_PX, PAGE_WIDTH_PX, splitToFit } from '../../pipeline/chart/page-fit.ts';
import { renderSvg } from '../../pipeline/chart/render-svg.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';
import { thesisSized, wideWithAnswers } from './answer-fixtures.ts';

/** The natural size of a rendered figure, from its SVG's width and height attributes. */
function sizeOf(svg: string): { width: number; height: number } {
  const root = /^<svg[^>]*>/.exec(svg)?.[0] ?? '';
  return { width: Number(/\swidth="([0-9.]+)"/.exec(root)?.[1]), height: Number(/\sheight="([0-9.]+)"/.exec(root)?.[1]) };
}

describe('every figure, rendered, fits the printed page (\\textwidth ≈ 573 px)', () => {
  for (const [name, input] of [['chapter5', loadSummaryPair('chapter5')], ['wide, answered', wideWithAnswers()], ['thesis-sized', thesisSized()]] as const) {
    describe(`on the ${name} summary`, () => {
      for (const { id, spec } of buildFigures(input)) {
        it(`${id}: at most ${PAGE_WIDTH_PX} px wide, at most ${MAX_ASPECT} times as tall, no text below ${MIN_FONT_PX} px`, async () => {
          const svg = await renderSvg(spec);
          const { width, height } = sizeOf(svg);
          assert.ok(width > 0 && width <= PAGE_WIDTH_PX, `${width} px wide`);
          assert.ok(height / width <= MAX_ASPECT, `${width} × ${height} px: ${(height / width).toFixed(2)} times as tall as wide`);
          const sizes = [...svg.matchAll(/font-size="([0-9.]+)px"/g)].map((match) => Number(match[1]));
          assert.ok(sizes.length > 0 && sizes.every((size) => size >= MIN_FONT_PX), `font sizes ${[...new Set(sizes)].join(', ')}`);
        });
      }
    });
  }
});

describe('splitToFit()', () => {
  const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((row, index) => ({ row, group: index < 4 ? 'one' : 'two', fs: index % 2 === 0 ? 'ext4' : 'xfs' }));
  const fitsRows = (max: number) => (some: typeof items) => new Set(some.map((item) => item.row)).size <= max;

  it('keeps a figure that fits whole, with nothing added to its id', () => {
    assert.deepEqual(splitToFit(items, { rowOf: (item) => item.row, fits: fitsRows(10) }), [{ suffix: [], describe: [], items }]);
  });

  it('gives each group its own pieces, a group too tall split by filesystem, then into equal runs of rows', () => {
    const pieces = splitToFit(items, { groupBy: (item) => item.group, splitBy: (item) => item.fs, rowOf: (item) => item.row, fits: fitsRows(1) });
    assert.deepEqual(pieces.map((piece) => piece.suffix.join('-')), ['one-ext4-1', 'one-ext4-2', 'one-xfs-1', 'one-xfs-2', 'two-ext4-1', 'two-ext4-2', 'two-xfs']);
    assert.deepEqual(pieces[0]?.describe, ['one', 'ext4', 'part 1 of 2']);
  });

  it('packs consecutive groups into one piece while it fits, numbering the pieces', () => {
    const pieces = splitToFit(items, { groupBy: (item) => item.group, packGroups: true, rowOf: (item) => item.row, fits: fitsRows(4) });
    assert.deepEqual(pieces.map((piece) => [piece.suffix.join('-'), piece.items.map((item) => item.row).join('')]), [['1', 'abcd'], ['2', 'efg']]);
  });

  it('has no piece without items', () => {
    assert.deepEqual(splitToFit([], { rowOf: String, fits: () => true }), []);
  });
});
