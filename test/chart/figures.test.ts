import { strict as assert } from 'node:assert';
import { FIGURES } from '../../pipeline/chart/figures.ts';
import { renderFigures } from '../../pipeline/chart/render-figures.ts';
import type { Summary } from '../../pipeline/types.ts';
import { expectGolden } from '../fixtures/golden/expect-golden.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';
import { compileCollectingWarnings, vegaLiteSchemaValidator } from './compile-spec.ts';

const CHAPTER5 = loadSummaryPair('chapter5');
const WIDE = loadSummaryPair('wide');
const idsFor = (input: { summary: Summary; manifest?: typeof CHAPTER5.manifest }) =>
  FIGURES.filter((figure) => figure.build(input) !== undefined).map((figure) => figure.id);

describe('FIGURES', () => {
  for (const [name, input] of [['chapter5', CHAPTER5], ['wide', WIDE]] as const) {
    describe(`on the ${name} summary`, () => {
      for (const figure of FIGURES) {
        const spec = figure.build(input);
        if (!spec) continue;
        it(`${figure.id}: validates against Vega-Lite's JSON schema`, () => {
          const validate = vegaLiteSchemaValidator();
          assert.ok(validate(spec), JSON.stringify(validate.errors?.slice(0, 3), null, 2));
        });
        it(`${figure.id}: compiles without a warning`, () => {
          assert.deepEqual(compileCollectingWarnings(spec), []);
        });
        it(`${figure.id}: sets the font to DejaVu Sans and titles itself`, () => {
          assert.match(String(spec.config?.font), /^DejaVu Sans\b/);
          assert.ok(spec.title);
        });
      }
    });
  }

  describe('golden specs (UPDATE_GOLDEN=1 rewrites them)', () => {
    for (const id of idsFor(CHAPTER5)) {
      it(`chapter5 ${id}`, () => {
        const spec = FIGURES.find((figure) => figure.id === id)?.build(CHAPTER5);
        expectGolden(`figure-chapter5-${id}.vl.json`, `${JSON.stringify(spec, null, 2)}\n`);
      });
    }
    for (const id of ['storage-strategies', 'grading-time', 'concurrency', 'peak-memory', 'disk-usage', 'daemon-memory', 'isolation']) {
      it(`wide ${id}`, () => {
        const spec = FIGURES.find((figure) => figure.id === id)?.build(WIDE);
        expectGolden(`figure-wide-${id}.vl.json`, `${JSON.stringify(spec, null, 2)}\n`);
      });
    }
  });

  it('draws for the chapter5 summary the figures its data allows, in registry order: no daemon, no probe', () => {
    assert.deepEqual(idsFor(CHAPTER5), ['lifecycle-breakdown', 'phase-medians', 'total-heatmap', 'launch-distribution', 'peak-memory', 'disk-usage']);
  });

  it('draws every figure for the wide summary: two images, a grading workload, concurrency 4', () => {
    assert.deepEqual(idsFor(WIDE), FIGURES.map((figure) => figure.id));
  });

  it('leaves every figure out of a summary without cells', () => {
    assert.deepEqual(idsFor({ summary: { ...CHAPTER5.summary, cells: [] }, manifest: CHAPTER5.manifest }), []);
  });

  it('leaves the storage figure out without the image sizes of the manifest', () => {
    assert.ok(!idsFor({ summary: WIDE.summary }).includes('storage-strategies'));
    assert.ok(!idsFor({ summary: WIDE.summary, manifest: { ...WIDE.manifest, images: {} } }).includes('storage-strategies'));
  });

  it('leaves the concurrency figure out when every cell ran one container at a time', () => {
    const single = { ...WIDE.summary, cells: WIDE.summary.cells.filter((cell) => cell.concurrency === 1) };
    assert.ok(!idsFor({ summary: single, manifest: WIDE.manifest }).includes('concurrency'));
  });

  it('leaves the grading figure out when only noop was run', () => {
    const noop = { ...WIDE.summary, cells: WIDE.summary.cells.filter((cell) => cell.workload === 'noop') };
    assert.ok(!idsFor({ summary: noop, manifest: WIDE.manifest }).includes('grading-time'));
  });

  it('takes the throughput from the measured makespans: N containers over the median makespan, the interval from its CI', () => {
    const spec = FIGURES.find((figure) => figure.id === 'concurrency')?.build(WIDE) as unknown as {
      data: { values: { line: string; concurrency: number; throughputPerS: number; throughputLowPerS: number; throughputHighPerS: number }[] };
    };
    const row = spec.data.values.find((value) => value.line === 'crun · overlay · ext4 · grader' && value.concurrency === 4);
    const cell = WIDE.summary.cells.find((c) => c.cellId === 'crun.overlay.ext4.grader.grade-python.exec.c4');
    assert.ok(row && cell?.batch);
    assert.equal(row.throughputPerS, 4000 / cell.batch.makespanMedianMs);
    assert.equal(row.throughputLowPerS, 4000 / cell.batch.makespanCiHighMs);
    assert.equal(row.throughputHighPerS, 4000 / cell.batch.makespanCiLowMs);
  });

  it('leaves the concurrency figure out when no makespan was measured', () => {
    const unmeasured = { ...WIDE.summary, cells: WIDE.summary.cells.map(({ batch: _batch, ...cell }) => cell) };
    assert.ok(!idsFor({ summary: unmeasured, manifest: WIDE.manifest }).includes('concurrency'));
  });

  it('leaves the isolation probes out of every figure but the isolation grid', () => {
    for (const figure of FIGURES.filter((f) => f.id !== 'isolation')) {
      const json = JSON.stringify(figure.build(WIDE) ?? {});
      assert.ok(!json.includes('limit-'), figure.id);
    }
  });

  it('colours the isolation grid by verdict, one tile per configuration and limit, leaving out configurations none of whose probes ran', () => {
    const spec = FIGURES.find((figure) => figure.id === 'isolation')?.build(WIDE) as unknown as { data: { values: { configuration: string; limit: string; verdict: string }[] } };
    const ranSomewhere = new Set(WIDE.summary.limits.filter((limit) => limit.verdict !== 'not-run').map((limit) => `${limit.runtime}/${limit.storageDriver}/${limit.filesystem}`));
    assert.equal(spec.data.values.length, WIDE.summary.limits.filter((limit) => ranSomewhere.has(`${limit.runtime}/${limit.storageDriver}/${limit.filesystem}`)).length);
    assert.ok(!spec.data.values.some((row) => row.configuration.startsWith('kata')), 'kata was skipped: its tiles are left to the table');
    assert.deepEqual(
      spec.data.values.filter((row) => row.verdict !== 'enforced').map((row) => `${row.configuration} ${row.limit} ${row.verdict}`).slice(0, 4),
      ['runc · copy · ext4 network not-run', 'crun · overlay · ext4 pids not-enforced', 'runsc · copy · ext4 memory unknown', 'lxd · dir · ext4 network not-enforced'],
    );
  });

  it('shows deep copy and copy-on-write apart in the disk figure', () => {
    const spec = FIGURES.find((figure) => figure.id === 'disk-usage')?.build(WIDE) as unknown as { data: { values: { storage: string; image: string; strategy: string; medianMiB: number }[] } };
    const grader = (storage: string) => spec.data.values.find((row) => row.storage === storage && row.image === 'grader');
    assert.equal(grader('copy · ext4')?.strategy, 'deep copy');
    assert.equal(grader('overlay · ext4')?.strategy, 'copy-on-write');
    assert.ok((grader('copy · ext4')?.medianMiB ?? 0) > 200 && (grader('overlay · ext4')?.medianMiB ?? 1) < 0.1);
  });

  it('classes copy, vfs and dir as deep copies and every other driver as copy-on-write', () => {
    const spec = FIGURES.find((figure) => figure.id === 'storage-strategies')?.build(WIDE) as unknown as { data: { values: { storageDriver: string; strategy: string }[] } };
    const strategies = new Map(spec.data.values.map((value) => [value.storageDriver, value.strategy]));
    assert.deepEqual(Object.fromEntries(strategies), { copy: 'deep copy', overlay: 'copy-on-write', overlay2: 'copy-on-write', dir: 'deep copy' });
  });
});

describe('renderFigures()', () => {
  it('renders only the figures with data, with captions, SVG, PDF and PNG', async () => {
    const figures = await renderFigures(CHAPTER5);
    assert.deepEqual(figures.map((figure) => figure.id), idsFor(CHAPTER5));
    for (const figure of figures) {
      assert.match(figure.svg, /^<svg /);
      assert.equal(figure.specJson, `${JSON.stringify(figure.spec, null, 2)}\n`);
      assert.equal(figure.pdf?.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.equal(figure.png?.subarray(1, 4).toString('latin1'), 'PNG');
      assert.ok(figure.caption.length > 0);
    }
    assert.match(figures.find((figure) => figure.id === 'phase-medians')?.caption ?? '', /seed 20251120.*n = 20 per point/);
  });

  it('skips the PDF and PNG when asked to', async () => {
    const figures = await renderFigures(CHAPTER5, { pdf: false, png: false });
    assert.ok(figures.every((figure) => figure.pdf === undefined && figure.png === undefined));
  });
});
