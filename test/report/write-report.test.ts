import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderFigures, type RenderedFigure } from '../../pipeline/chart/render-figures.ts';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import { csvFormat } from '../../pipeline/report/formats/csv.ts';
import { REPORT_FORMATS } from '../../pipeline/report/formats/index.ts';
import { writeReport } from '../../pipeline/report/write-report.ts';
import { loadResultsFixture, loadSummaryFixture } from '../fixtures/results/load-fixture.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';

/** The report's own files, format by format, in the order writeReport writes them (the CSV tables as the document has them). */
const reportFiles = (csv: readonly string[]) => [
  'chapter4.md',
  'chapter5.md',
  'appendix.md',
  'measurements.html',
  'chapter4.tex',
  'chapter5.tex',
  'appendix.tex',
  'numbers.tex',
  ...csv,
  'measurements.pdf',
  'chapter5.pdf',
];
const figureFiles = (figures: readonly { id: string }[]) => figures.flatMap(({ id }) => ['vl.json', 'svg', 'pdf', 'png'].map((ext) => `figures/${id}.${ext}`));

describe('writeReport()', () => {
  const { summary, manifest } = loadSummaryPair('chapter5');
  let figures: RenderedFigure[] = [];
  let scratch = '';
  let csv: readonly string[] = [];
  /** What must be the same bytes for the same summary and manifest: every file. */
  let byteStable: string[] = [];
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'crbench-report-'));
    figures = await renderFigures({ summary, manifest });
    csv = csvFormat.fileNames(buildDocument({ summary, manifest, figures }));
    byteStable = [...figureFiles(figures), ...reportFiles(csv)];
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('creates the folder and writes every format with its figures, returning the paths in order', async () => {
    const outDir = join(scratch, 'new', 'report');
    const written = await writeReport({ summary, manifest, figures, outDir });
    assert.deepEqual(written, byteStable.map((file) => join(outDir, file)));
    for (const path of written) assert.ok((await readFile(path)).length > 0, path);
    assert.deepEqual(
      (await readdir(outDir)).sort(),
      [
        'appendix.md',
        'appendix.tex',
        'chapter4.md',
        'chapter4.tex',
        'chapter5.md',
        'chapter5.pdf',
        'chapter5.tex',
        'figures',
        'measurements.html',
        'measurements.pdf',
        'numbers.tex',
        ...(csv.length > 0 ? ['tables'] : []),
      ].sort(),
    );
  });

  it('writes the files each format names, and no chapter5.html any more', async () => {
    const outDir = join(scratch, 'named');
    const doc = buildDocument({ summary, manifest, figures });
    const written = await writeReport({ summary, manifest, figures, outDir, formats: ['markdown', 'html', 'latex', 'csv'] });
    const expected = REPORT_FORMATS.filter((format) => format.id !== 'pdf').flatMap((format) => format.fileNames(doc));
    assert.deepEqual(written.filter((path) => !path.includes('/figures/')), expected.map((file) => join(outDir, file)));
    assert.ok(!expected.includes('chapter5.html'));
  });

  it('writes byte-identical files, PDF and PNG included, when the figures are rendered and written again', async () => {
    const first = join(scratch, 'first');
    const second = join(scratch, 'second');
    await writeReport({ summary, manifest, figures, outDir: first });
    await writeReport({ summary, manifest, figures: await renderFigures({ summary, manifest }), outDir: second });
    for (const file of byteStable) {
      assert.ok((await readFile(join(first, file))).equals(await readFile(join(second, file))), file);
    }
  });

  it('links in Markdown the SVG it wrote, inlines the same SVG in HTML, and includes its PDF in LaTeX through figures/', async () => {
    const outDir = join(scratch, 'links');
    await writeReport({ summary, manifest, figures, outDir, formats: ['markdown', 'html', 'latex'] });
    // The chapter5 fixture has no reference workload, so its figures are all the appendix's.
    const markdown = await readFile(join(outDir, 'appendix.md'), 'utf8');
    const html = await readFile(join(outDir, 'measurements.html'), 'utf8');
    const latex = await readFile(join(outDir, 'appendix.tex'), 'utf8');
    const svg = await readFile(join(outDir, 'figures/total-heatmap.svg'), 'utf8');
    assert.match(markdown, /\]\(figures\/total-heatmap\.svg\)/);
    assert.ok(html.includes(svg.replace(/^<svg/, '').replace(/id="gradient_0"/, 'id="total-heatmap-gradient_0"').replace('url(#gradient_0)', 'url(#total-heatmap-gradient_0)')));
    assert.match(latex, /^\\graphicspath\{\{\\crbReportDir figures\/\}\}$/m);
    assert.match(latex, /\{total-heatmap\.pdf\}/);
    assert.ok((await readFile(join(outDir, 'figures/total-heatmap.pdf'))).length > 0);
  });

  it('writes only the formats asked for', async () => {
    const outDir = join(scratch, 'some');
    const written = await writeReport({ summary, manifest, figures, outDir, formats: ['markdown'] });
    assert.deepEqual(written.filter((path) => !path.includes('/figures/')), ['chapter4.md', 'chapter5.md', 'appendix.md'].map((file) => join(outDir, file)));
  });

  it('writes the chart spec as the figure registry builds it', async () => {
    const outDir = join(scratch, 'spec');
    await writeReport({ summary, manifest, figures, outDir, formats: [] });
    const spec = JSON.parse(await readFile(join(outDir, 'figures/phase-medians.vl.json'), 'utf8'));
    assert.equal(spec.data.values.length, 30);
  });

  it('renders the analyse stage’s own golden summary, whatever fields it has yet', async () => {
    const golden = loadSummaryFixture();
    const goldenManifest = loadResultsFixture().manifest;
    const outDir = join(scratch, 'golden');
    const written = await writeReport({
      summary: golden,
      manifest: goldenManifest,
      figures: await renderFigures({ summary: golden, manifest: goldenManifest }),
      outDir,
    });
    assert.ok(written.some((path) => path.endsWith('/measurements.pdf')));
    assert.ok(written.some((path) => path.endsWith('/chapter5.pdf')));
  });
});
