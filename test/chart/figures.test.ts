import { strict as assert } from 'node:assert';
import { buildFigures, FIGURES, MAX_CHAPTER5_FIGURES, type PlacedFigure } from '../../pipeline/chart/figures.ts';
import { renderFigures } from '../../pipeline/chart/render-figures.ts';
import type { Summary } from '../../pipeline/types.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';
import { thesisSized, wideWithAnswers } from './answer-fixtures.ts';
import { compileCollectingWarnings, vegaLiteSchemaValidator } from './compile-spec.ts';
import { BENIGN_FACET_WARNING } from '../../pipeline/chart/render-svg.ts';

const CHAPTER5 = loadSummaryPair('chapter5');
const WIDE = loadSummaryPair('wide');
const ANSWERED = wideWithAnswers();
const THESIS = thesisSized();
type Input = { summary: Summary; manifest?: typeof CHAPTER5.manifest };
const idsFor = (input: Input) => buildFigures(input).map((figure) => figure.id);
const figure = (input: Input, id: string): PlacedFigure => {
  const found = buildFigures(input).find((candidate) => candidate.id === id);
  assert.ok(found, `no figure ${id} among ${idsFor(input).join(', ')}`);
  return found;
};
const valuesOf = <T>(spec: unknown) => (spec as { data: { values: T[] } }).data.values;

/** Every view of a spec (itself, its layers, facet specs and concatenations), depth first. */
function views(spec: unknown): Record<string, unknown>[] {
  if (spec === null || typeof spec !== 'object') return [];
  const view = spec as Record<string, unknown>;
  const children = [view.spec, ...['layer', 'concat', 'hconcat', 'vconcat'].flatMap((key) => (Array.isArray(view[key]) ? (view[key] as unknown[]) : []))];
  return [view, ...children.flatMap(views)];
}

describe('FIGURES', () => {
  for (const [name, input] of [['chapter5', CHAPTER5], ['wide, answered', ANSWERED], ['thesis-sized', THESIS]] as const) {
    describe(`on the ${name} summary`, () => {
      const figures = buildFigures(input);
      for (const { id, spec } of figures) {
        it(`${id}: validates against Vega-Lite's JSON schema`, () => {
          const validate = vegaLiteSchemaValidator();
          assert.ok(validate(spec), JSON.stringify(validate.errors?.slice(0, 3), null, 2));
        });
        it(`${id}: compiles without a warning (but the one every layered facet gets)`, () => {
          assert.deepEqual(compileCollectingWarnings(spec).filter((warning) => !BENIGN_FACET_WARNING.test(String(warning[0]))), []);
        });
        it(`${id}: sets the font to DejaVu Sans and carries no title: the caption is in the document`, () => {
          assert.match(String(spec.config?.font), /^DejaVu Sans\b/);
          for (const view of views(spec)) assert.ok(!('title' in view), `a view titled ${JSON.stringify(view.title)}`);
        });
        it(`${id}: gives a facet's panels their own y scale`, () => {
          for (const view of views(spec).filter((v) => 'facet' in v)) {
            assert.equal((view.resolve as { scale?: { y?: string } } | undefined)?.scale?.y, 'independent');
          }
        });
      }

      it('gives every figure its own id, and the same figures in the same order every time', () => {
        assert.equal(new Set(figures.map((f) => f.id)).size, figures.length);
        assert.equal(JSON.stringify(buildFigures(input)), JSON.stringify(figures));
      });

      it(`places at most ${MAX_CHAPTER5_FIGURES} figures in chapter 5, all before the appendix's`, () => {
        const placements = figures.map((f) => f.placement);
        assert.ok(placements.filter((p) => p === 'chapter5').length <= MAX_CHAPTER5_FIGURES);
        assert.ok(placements.indexOf('appendix') === -1 || placements.lastIndexOf('chapter5') < placements.indexOf('appendix'));
      });
    });
  }

  it('draws for the chapter5 summary the appendix figures its data allows, in registry order: no daemon, no probe, no answer', () => {
    assert.deepEqual(idsFor(CHAPTER5), ['lifecycle-breakdown', 'phase-medians', 'total-heatmap', 'launch-distribution', 'peak-memory', 'disk-usage']);
    assert.ok(buildFigures(CHAPTER5).every((f) => f.placement === 'appendix'));
  });

  it('draws every kind of figure for the wide summary once answered: two images, a grading workload, concurrency 4, questions, ranking and load', () => {
    const kinds = new Set(buildFigures(ANSWERED).map((f) => FIGURES.find((d) => f.id === d.id || f.id.startsWith(`${d.id}-`))?.id));
    assert.deepEqual([...kinds], FIGURES.map((d) => d.id));
  });

  it('fills chapter 5 with the rankings and capacity first, then the questions in their order while room is left', () => {
    const chapter = buildFigures(THESIS).filter((f) => f.placement === 'chapter5').map((f) => f.id);
    const questions = THESIS.summary.questions!.map((q) => `question-${q.id}`);
    assert.equal(chapter.length, MAX_CHAPTER5_FIGURES);
    assert.deepEqual(chapter, ['ranking-exec', 'ranking-command', ...questions.slice(0, MAX_CHAPTER5_FIGURES - 3), 'capacity']);
  });

  it('splits a figure too tall for the page into pieces named by what they show, never an empty piece', () => {
    const pieces = buildFigures(THESIS).filter((f) => f.id.startsWith('phase-medians-'));
    assert.ok(pieces.length > 1);
    assert.ok(pieces.some((f) => f.id.startsWith('phase-medians-tiny-noop-exec-') && f.id.includes('-ext4')));
    assert.ok(pieces.every((f) => /This figure: .+\.$/.test(f.caption) && valuesOf(f.spec).length > 0));
  });

  it('leaves every figure out of a summary without cells, questions, ranking or load', () => {
    assert.deepEqual(idsFor({ summary: { ...CHAPTER5.summary, cells: [] }, manifest: CHAPTER5.manifest }), []);
  });

  it('leaves a question without a measured pair out of the chapter', () => {
    const questions = ANSWERED.summary.questions!;
    assert.ok(questions.some((q) => q.pairs.length === 0));
    const drawn = idsFor(ANSWERED).filter((id) => id.startsWith('question-'));
    assert.deepEqual(drawn, questions.filter((q) => q.pairs.length > 0).map((q) => `question-${q.id}`));
  });

  it('leaves the storage figure out without the image sizes of the manifest', () => {
    assert.ok(!idsFor({ summary: WIDE.summary }).some((id) => id.startsWith('storage-strategies')));
    assert.ok(!idsFor({ summary: WIDE.summary, manifest: { ...WIDE.manifest, images: {} } }).some((id) => id.startsWith('storage-strategies')));
  });

  it('leaves the concurrency figure out when every cell ran one container at a time', () => {
    const single = { ...WIDE.summary, cells: WIDE.summary.cells.filter((cell) => cell.concurrency === 1) };
    assert.ok(!idsFor({ summary: single, manifest: WIDE.manifest }).some((id) => id.startsWith('concurrency')));
  });

  it('leaves the grading figure out when only noop was run', () => {
    const noop = { ...WIDE.summary, cells: WIDE.summary.cells.filter((cell) => cell.workload === 'noop') };
    assert.ok(!idsFor({ summary: noop, manifest: WIDE.manifest }).some((id) => id.startsWith('grading-time')));
  });

  it('takes the throughput from the measured makespans: N containers over the median makespan, the interval from its CI', () => {
    const values = valuesOf<{ line: string; concurrency: number; throughputPerS: number; throughputLowPerS: number; throughputHighPerS: number }>(figure(WIDE, 'concurrency-ext4').spec);
    const row = values.find((value) => value.line.startsWith('crun · overlay · ext4 · grader') && value.concurrency === 4);
    const cell = WIDE.summary.cells.find((c) => c.cellId === 'crun.overlay.ext4.grader.grade-python.exec.c4');
    assert.ok(row && cell?.batch);
    assert.equal(row.throughputPerS, 4000 / cell.batch.makespanMedianMs);
    assert.equal(row.throughputLowPerS, 4000 / cell.batch.makespanCiHighMs);
    assert.equal(row.throughputHighPerS, 4000 / cell.batch.makespanCiLowMs);
  });

  it('leaves the concurrency figure out when no makespan was measured', () => {
    const unmeasured = { ...WIDE.summary, cells: WIDE.summary.cells.map(({ batch: _batch, ...cell }) => cell) };
    assert.ok(!idsFor({ summary: unmeasured, manifest: WIDE.manifest }).some((id) => id.startsWith('concurrency')));
  });

  it('leaves the isolation probes out of every figure but the isolation grid', () => {
    for (const { id, spec } of buildFigures(WIDE).filter((f) => !f.id.startsWith('isolation'))) {
      assert.ok(!JSON.stringify(spec).includes('limit-'), id);
    }
  });

  it('colours the isolation grid by verdict, one tile per configuration and limit, leaving out configurations none of whose probes ran', () => {
    const values = valuesOf<{ configuration: string; limit: string; verdict: string }>(figure(WIDE, 'isolation').spec);
    const ranSomewhere = new Set(WIDE.summary.limits.filter((limit) => limit.verdict !== 'not-run').map((limit) => `${limit.runtime}/${limit.storageDriver}/${limit.filesystem}`));
    assert.equal(values.length, WIDE.summary.limits.filter((limit) => ranSomewhere.has(`${limit.runtime}/${limit.storageDriver}/${limit.filesystem}`)).length);
    assert.ok(!values.some((row) => row.configuration.startsWith('kata')), 'kata was skipped: its tiles are left to the table');
    assert.deepEqual(
      values.filter((row) => row.verdict !== 'enforced').map((row) => `${row.configuration} ${row.limit} ${row.verdict}`).slice(0, 4),
      ['runc · copy · ext4 network not-run', 'crun · overlay · ext4 pids not-enforced', 'runsc · copy · ext4 memory unknown', 'lxd · dir · ext4 network not-enforced'],
    );
  });

  it('shows deep copy and copy-on-write apart in the disk figure', () => {
    const values = buildFigures(WIDE).filter((f) => f.id.startsWith('disk-usage')).flatMap((f) => valuesOf<{ storage: string; image: string; strategy: string; medianMiB: number }>(f.spec));
    const grader = (storage: string) => values.find((row) => row.storage === storage && row.image === 'grader');
    assert.equal(grader('copy · ext4')?.strategy, 'deep copy');
    assert.equal(grader('overlay · ext4')?.strategy, 'copy-on-write');
    assert.ok((grader('copy · ext4')?.medianMiB ?? 0) > 200 && (grader('overlay · ext4')?.medianMiB ?? 1) < 0.1);
  });

  it('classes copy, vfs and dir as deep copies and every other driver as copy-on-write', () => {
    const values = buildFigures(WIDE).filter((f) => f.id.startsWith('storage-strategies')).flatMap((f) => valuesOf<{ storageDriver: string; strategy: string }>(f.spec));
    const strategies = new Map(values.map((value) => [value.storageDriver, value.strategy]));
    assert.deepEqual(Object.fromEntries([...strategies].sort()), { copy: 'deep copy', dir: 'deep copy', overlay: 'copy-on-write', overlay2: 'copy-on-write' });
  });
});

describe('renderFigures()', () => {
  it('renders only the figures with data, each with its placement, caption, SVG, PDF and PNG', async () => {
    const figures = await renderFigures(CHAPTER5);
    assert.deepEqual(figures.map((f) => f.id), idsFor(CHAPTER5));
    for (const f of figures) {
      assert.match(f.svg, /^<svg /);
      assert.equal(f.placement, 'appendix');
      assert.equal(f.specJson, `${JSON.stringify(f.spec, null, 2)}\n`);
      assert.equal(f.pdf?.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.equal(f.png?.subarray(1, 4).toString('latin1'), 'PNG');
      assert.ok(f.caption.length > 0);
    }
    assert.match(figures.find((f) => f.id === 'phase-medians')?.caption ?? '', /seed 20251120.*n = 20 per point/);
  });

  it('skips the PDF and PNG when asked to', async () => {
    const figures = await renderFigures(CHAPTER5, { pdf: false, png: false });
    assert.ok(figures.every((f) => f.pdf === undefined && f.png === undefined));
  });
});
