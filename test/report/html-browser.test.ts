import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { renderFigures } from '../../pipeline/chart/render-figures.ts';
import { writeReport } from '../../pipeline/report/write-report.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';

const CHROMIUM = '/usr/bin/chromium';

/** What the page reports about each inline SVG once laid out. */
interface DrawnSvg {
  label: string | null;
  width: number;
  height: number;
  marks: number;
  texts: number;
}

describe('measurements.html in headless Chromium', function () {
  let browser: Browser | undefined;
  let scratch = '';
  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is absent (Debian package chromium)`);
      this.skip();
    }
    scratch = await mkdtemp(join(tmpdir(), 'crbench-html-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  for (const name of ['chapter5', 'wide'] as const) {
    it(`shows the three parts and draws every figure of the ${name} report, offline, without a console error`, async () => {
      assert.ok(browser);
      const pair = loadSummaryPair(name);
      const figures = await renderFigures(pair, { pdf: false, png: false });
      const outDir = join(scratch, name);
      await writeReport({ ...pair, figures, outDir, formats: ['html'] });
      // Offline: any request but the page itself fails the test.
      const context = await browser.newContext({ offline: true });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) problems.push(`request: ${request.url()}`);
      });
      await page.goto(pathToFileURL(join(outDir, 'measurements.html')).href, { waitUntil: 'load' });
      const drawn = await page.$$eval('main svg[role="img"]', (svgs) =>
        svgs.map((svg) => {
          // Structural types: the project's tsconfig has no DOM library.
          const box = (svg as unknown as { getBBox(): { width: number; height: number } }).getBBox();
          return {
            label: svg.getAttribute('aria-label'),
            width: box.width,
            height: box.height,
            marks: svg.querySelectorAll('[role="graphics-symbol"], path, rect, line').length,
            texts: [...svg.querySelectorAll('text')].filter((t) => (t as unknown as { getComputedTextLength(): number }).getComputedTextLength() > 0).length,
          };
        }),
      );
      const parts = await page.$$eval('main > section.part > h1', (headings) => headings.map((heading) => heading.textContent));
      await context.close();
      assert.deepEqual(parts, ['Benchmark tool', 'Measurements', 'Measurements in full']);
      assert.equal(drawn.length, figures.length);
      for (const svg of drawn as DrawnSvg[]) {
        assert.ok(svg.width > 0 && svg.height > 0, `${svg.label}: empty bounding box`);
        assert.ok(svg.marks > 0, `${svg.label}: no marks`);
        assert.ok(svg.texts > 0, `${svg.label}: no text drawn`);
      }
      assert.deepEqual(problems, []);
    });
  }
});
