import assert from 'node:assert/strict';
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
