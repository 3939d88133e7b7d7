import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderReport } from '../../pipeline/index.ts';

const RESULTS = 'results/reference';
const COMMITTED = 'reports/reference';
/** Text outputs reproduce byte for byte anywhere; PDF and PNG only with the same pdfTeX, cairo and resvg. */
const BYTE_FOR_BYTE = /\.(md|html|tex|json|svg)$/;

function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(dir).sort().flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesBelow(full, `${prefix}${entry}/`) : [`${prefix}${entry}`];
  });
}

describe('the committed reference run', function () {
  this.timeout(300_000);
  let out: string;

  before(function () {
    if (!existsSync(path.join(RESULTS, 'manifest.json'))) this.skip();
    out = mkdtempSync(path.join(os.tmpdir(), 'crbench-reference-'));
  });
  after(() => { if (out) rmSync(out, { recursive: true, force: true }); });

  it('is a finished run of experiments/chapter5.yaml', () => {
    const manifest = JSON.parse(readFileSync(path.join(RESULTS, 'manifest.json'), 'utf8')) as { matrixPath: string; endedAt: string | null };
    assert.equal(manifest.matrixPath, 'experiments/chapter5.yaml');
    assert.ok(manifest.endedAt !== null);
  });

  it('renders into exactly the committed chapter, byte for byte for every text file', async () => {
    await renderReport(RESULTS, out);
    const committed = filesBelow(COMMITTED);
    assert.deepEqual(filesBelow(out), committed);
    for (const file of committed.filter((name) => BYTE_FOR_BYTE.test(name))) {
      assert.ok(readFileSync(path.join(out, file)).equals(readFileSync(path.join(COMMITTED, file))), `${file} differs from the committed one`);
    }
  });
});

/** The reader's time, as issue 13 budgets it: words, figures and pages of the committed chapters. */
describe('the committed reference chapters', () => {
  const read = (file: string) => readFileSync(path.join(COMMITTED, file), 'utf8');

  it('keeps chapter 5 to at most 8,000 words and 10 figures', () => {
    const markdown = read('chapter5.md');
    const words = markdown.split(/\s+/).filter((word) => /[A-Za-z0-9]/.test(word)).length;
    assert.ok(words <= 8000, `chapter5.md has ${words} words`);
    const figures = markdown.match(/^!\[/gm)?.length ?? 0;
    assert.ok(figures >= 1 && figures <= 10, `chapter5.md has ${figures} figures`);
  });

  it('opens chapter 5 with the recommended configuration', () => {
    const opening = read('chapter5.md').split('\n\n')[1] ?? '';
    assert.match(opening, /the fastest configuration whose isolation held is [^:]+ · [^:]+ · [^:]+ in the (exec|command) shape/);
  });

  it('prints chapter 5 on at most 30 pages and chapter 4 on at most 15', () => {
    const pages = (file: string) => spawnSync('pdftotext', ['-layout', path.join(COMMITTED, file), '-'], { encoding: 'utf8' }).stdout.split('\f').slice(0, -1);
    const chapter5 = pages('chapter5.pdf');
    assert.ok(chapter5.length > 0 && chapter5.length <= 30, `chapter5.pdf has ${chapter5.length} pages`);
    const all = pages('measurements.pdf');
    const start5 = all.findIndex((page) => /^\s*Chapter 5\b/.test(page));
    assert.ok(start5 > 0 && start5 <= 15, `chapter 4 takes ${start5} pages`);
  });
});
