/**
 * How long stages 6–8 take on a large results set: a synthetic run of ~100,000 samples
 * (8 runtime · driver configurations × 3 filesystems × 3 image · workload pairs × 3
 * concurrency levels = 216 cells, 90 measured repetitions each), analysed by
 * `analyseResults`, then every figure rendered (SVG, PDF, PNG) and the chapter written in
 * every format (Markdown, HTML, LaTeX, PDF through pdflatex) into a scratch folder.
 * Not a test: it prints the time of each stage. `npx tsx bench/report-bench.ts [--reps 90] [--keep]`
 * (--keep leaves the report in the scratch folder and prints where).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseResults } from '../pipeline/analyse/analyse-results.ts';
import { buildFigures } from '../pipeline/chart/figures.ts';
import { renderPdf } from '../pipeline/chart/render-pdf.ts';
import { renderPng } from '../pipeline/chart/render-png.ts';
import { renderSvg } from '../pipeline/chart/render-svg.ts';
import type { RenderedFigure } from '../pipeline/chart/render-figures.ts';
import { writeReport } from '../pipeline/report/write-report.ts';
import { syntheticResults, type SyntheticSpec } from '../test/fixtures/summaries/synthetic-results.ts';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

const SPEC: SyntheticSpec = {
  name: 'report-bench',
  description: 'A large synthetic matrix for timing the analyse, chart and report stages.',
  configurations: [
    { runtime: 'runc', storageDriver: 'copy' },
    { runtime: 'runc', storageDriver: 'overlay' },
    { runtime: 'crun', storageDriver: 'copy' },
    { runtime: 'crun', storageDriver: 'overlay' },
    { runtime: 'runsc', storageDriver: 'copy' },
    { runtime: 'docker', storageDriver: 'overlay2' },
    { runtime: 'podman', storageDriver: 'overlay' },
    { runtime: 'lxd', storageDriver: 'dir' },
  ],
  filesystems: ['ext4', 'xfs', 'btrfs'],
  images: ['tiny', 'grader'],
  workloads: ['noop', 'grade-python'],
  concurrency: [1, 4, 8],
  repetitions: option('reps', 90),
  warmup: 2,
  seed: 42,
  skip: [{ when: (cell) => cell.image === 'tiny' && cell.workload === 'grade-python', reason: 'workload grade-python needs python3, which image tiny does not have' }],
};

const times: [string, number][] = [];
async function timed<T>(label: string, work: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await work();
  times.push([label, performance.now() - start]);
  console.log(`${label.padEnd(34)} ${(performance.now() - start).toFixed(0).padStart(7)} ms`);
  return result;
}

const results = await timed('generate samples', () => syntheticResults(SPEC));
const measured = results.samples.filter((sample) => !sample.warmup).length;
console.log(`  ${results.samples.length} samples (${measured} measured), ${results.manifest.cells.filter((c) => c.feasible).length} feasible cells`);
const summary = await timed('6 analyse (analyseResults)', () => analyseResults(results));
console.log(`  ${summary.cells.length} cells summarised, ${summary.comparisons?.length ?? 0} comparisons`);

// 7, stage by stage: build, SVG, PDF, PNG (renderFigures does the same in one call).
const input = { summary, manifest: results.manifest };
const specs = await timed('7 chart: build specs', () => buildFigures(input));
const svgs = await timed('7 chart: render SVG (vega)', async () => {
  const out: string[] = [];
  for (const { spec } of specs) out.push(await renderSvg(spec));
  return out;
});
const pdfs = await timed('7 chart: render PDF (rsvg-convert)', () => svgs.map(renderPdf));
const pngs = await timed('7 chart: render PNG (resvg)', () => svgs.map(renderPng));
const figures: RenderedFigure[] = specs.map(({ id, caption, placement, spec }, index) => ({
  id, caption, placement, spec,
  specJson: `${JSON.stringify(spec, null, 2)}\n`, svg: svgs[index] as string, pdf: pdfs[index], png: pngs[index],
}));

const outDir = await mkdtemp(join(tmpdir(), 'crbench-report-bench-'));
try {
  for (const format of ['markdown', 'html', 'latex', 'csv', 'pdf']) {
    await timed(`8 report: ${format}`, () => writeReport({ ...input, figures, outDir, formats: [format] }));
  }
  const total = times.filter(([label]) => !label.startsWith('generate')).reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`${'stages 6–8 in all'.padEnd(34)} ${total.toFixed(0).padStart(7)} ms`);
  if (process.argv.includes('--keep')) console.log(`report kept in ${outDir}`);
} finally {
  if (!process.argv.includes('--keep')) await rm(outDir, { recursive: true, force: true });
}
