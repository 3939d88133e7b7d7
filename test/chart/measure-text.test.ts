import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { chartConfig, LABEL_LIMIT_PX } from '../../pipeline/chart/chart-style.ts';
import { DEJAVU_SANS_BOLD_WIDTHS, DEJAVU_SANS_REGULAR_WIDTHS } from '../../pipeline/chart/dejavu-sans-widths.ts';
import { DEJAVU_FONT_FILES } from '../../pipeline/chart/font-files.ts';
import { measureDejaVuSans } from '../../pipeline/chart/measure-text.ts';
import { renderSvg } from '../../pipeline/chart/render-svg.ts';
import { fontWidthTable } from './generate-font-widths.ts';

describe('measureDejaVuSans()', () => {
  it('holds the advance widths of the DejaVu Sans installed here (npx tsx test/chart/generate-font-widths.ts regenerates them)', function () {
    if (!existsSync(DEJAVU_FONT_FILES.regular) || !existsSync(DEJAVU_FONT_FILES.bold)) this.skip();
    const table = fontWidthTable();
    assert.deepEqual([table.regular, table.bold], [[...DEJAVU_SANS_REGULAR_WIDTHS], [...DEJAVU_SANS_BOLD_WIDTHS]]);
  });

  it('measures text from the font’s widths: "0" is 1303/2048 em, and bold is wider', () => {
    assert.equal(measureDejaVuSans('0', 2048), 1303);
    assert.equal(measureDejaVuSans('00', 11), (2 * 1303 * 11) / 2048);
    assert.ok(measureDejaVuSans('runc · copy', 11, true) > measureDejaVuSans('runc · copy', 11));
  });

  it('lays out a label longer than Vega’s default 180-pixel limit in full', async () => {
    const label = 'docker+runsc · fuse-overlayfs · btrfs';
    assert.ok(measureDejaVuSans(label, 11) > 180 && measureDejaVuSans(label, 11) < LABEL_LIMIT_PX);
    const spec = {
      data: { values: [{ label, ms: 1 }] },
      mark: 'bar',
      encoding: { y: { field: 'label', type: 'nominal' }, x: { field: 'ms', type: 'quantitative' } },
      config: chartConfig(),
    } as TopLevelSpec;
    const svg = await renderSvg(spec);
    assert.ok(svg.includes(`>${label}</text>`));
    assert.ok(!svg.includes('…'));
  });

  it('cuts a label beyond the page’s budget for labels with an ellipsis, so it never widens a figure past the page', async () => {
    const label = 'docker-cli · fuse-overlayfs · btrfs · grader · grade-python · command';
    assert.ok(measureDejaVuSans(label, 11) > LABEL_LIMIT_PX);
    const spec = {
      data: { values: [{ label, ms: 1 }] },
      mark: 'bar',
      encoding: { y: { field: 'label', type: 'nominal' }, x: { field: 'ms', type: 'quantitative' } },
      config: chartConfig(),
    } as TopLevelSpec;
    assert.match(await renderSvg(spec), /…<\/text>/);
  });
});
