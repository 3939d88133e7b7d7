import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderFigures } from '../../pipeline/chart/render-figures.ts';
import { writeReport } from '../../pipeline/report/write-report.ts';
import { loadResultsFixture, loadSummaryFixture } from '../fixtures/results/load-fixture.ts';

const FILES = ['figures/phase-medians.vl.json', 'figures/phase-medians.svg', 'chapter5.md', 'chapter5.html'];

describe('writeReport()', () => {
  const { manifest } = loadResultsFixture();
  const summary = loadSummaryFixture();
  let scratch = '';
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'crbench-report-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('creates the folder and writes the chapter in Markdown and HTML with its figure, returning the paths', async () => {
    const outDir = join(scratch, 'new', 'report');
    const written = await writeReport({ summary, manifest, figures: await renderFigures(summary), outDir });
    assert.deepEqual(written, FILES.map((file) => join(outDir, file)));
    for (const path of written) assert.ok((await readFile(path, 'utf8')).length > 0, path);
  });

  it('writes byte-identical files when run twice', async () => {
    const first = join(scratch, 'first');
    const second = join(scratch, 'second');
    await writeReport({ summary, manifest, figures: await renderFigures(summary), outDir: first });
    await writeReport({ summary, manifest, figures: await renderFigures(summary), outDir: second });
    for (const file of FILES) {
      assert.ok((await readFile(join(first, file))).equals(await readFile(join(second, file))), file);
    }
  });

  it('links in Markdown the SVG it wrote, and inlines the same SVG in HTML', async () => {
    const outDir = join(scratch, 'links');
    await writeReport({ summary, manifest, figures: await renderFigures(summary), outDir });
    const markdown = await readFile(join(outDir, 'chapter5.md'), 'utf8');
    const html = await readFile(join(outDir, 'chapter5.html'), 'utf8');
    const svg = await readFile(join(outDir, 'figures/phase-medians.svg'), 'utf8');
    assert.match(markdown, /\]\(figures\/phase-medians\.svg\)/);
    assert.ok(html.includes(svg.replace(/^<svg/, '')));
    assert.ok(html.includes('<svg role="img"'));
    assert.ok(!/(src|href)="http/.test(html));
  });

  it('writes the chart spec as the figure registry builds it', async () => {
    const outDir = join(scratch, 'spec');
    await writeReport({ summary, manifest, figures: await renderFigures(summary), outDir });
    const spec = JSON.parse(await readFile(join(outDir, 'figures/phase-medians.vl.json'), 'utf8'));
    assert.equal(spec.data.values.length, 25);
  });
});
