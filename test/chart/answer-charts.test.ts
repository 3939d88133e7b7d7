import { strict as assert } from 'node:assert';
import { capacityChart } from '../../pipeline/chart/capacity-chart.ts';
import { buildFigures } from '../../pipeline/chart/figures.ts';
import { ALL_PAIRS, MAX_PAIR_ROWS, pairLabels, questionChart, questionRows } from '../../pipeline/chart/question-chart.ts';
import { rankingChart, rankingRows } from '../../pipeline/chart/ranking-chart.ts';
import { thesisSized, wideWithAnswers } from './answer-fixtures.ts';

type Layer = { mark: { type: string; strokeDash?: number[] } | string; encoding?: Record<string, { datum?: number; field?: string }>; transform?: unknown[]; data?: { values: Record<string, unknown>[] }; layer?: Layer[] };
const layersOf = (spec: unknown): Layer[] => ((spec as { layer: Layer[] }).layer ?? []).flatMap((layer) => (layer.layer ? layer.layer.map((inner) => ({ ...inner, data: layer.data })) : [layer]));
const markOf = (layer: Layer) => (typeof layer.mark === 'string' ? layer.mark : layer.mark.type);

const { summary } = thesisSized();
const question = (id: string) => {
  const found = summary.questions?.find((q) => q.id === id);
  assert.ok(found);
  return found;
};

describe('questionChart()', () => {
  it('draws the rule at 1, no difference, whatever the question', () => {
    for (const answer of summary.questions ?? []) {
      const spec = questionChart(summary, answer);
      if (!spec) continue;
      assert.ok(layersOf(spec).some((layer) => markOf(layer) === 'rule' && layer.encoding?.x?.datum === 1), answer.id);
    }
  });

  it('draws a dashed rule at the claimed factor when the question names one, and none otherwise', () => {
    const dashed = (id: string) => layersOf(questionChart(summary, question(id))).filter((layer) => markOf(layer) === 'rule' && typeof layer.mark === 'object' && layer.mark.strokeDash);
    assert.deepEqual(dashed('sock-bind-vs-overlay').map((layer) => layer.encoding?.x?.datum), [0.5]);
    assert.deepEqual(dashed('docker-vs-crun'), []);
  });

  it('gives each pair a row named by what tells the pairs apart, and the overall ratio its CI in the last row', () => {
    const answer = question('sock-bind-vs-overlay');
    const rows = questionRows(summary, answer);
    assert.equal(rows.filter((row) => row.kind === 'pair').length, answer.pairs.length);
    assert.ok(rows.filter((row) => row.kind === 'pair').every((row) => !row.row.includes('bind')), 'the candidates all bind: not a difference');
    assert.deepEqual(rows.at(-1), { row: ALL_PAIRS, kind: 'all', ratio: answer.ratio, ciLow: answer.ciLow, ciHigh: answer.ciHigh, text: `${answer.ratio.toPrecision(3)}×` });
  });

  it(`puts more than ${MAX_PAIR_ROWS} pairs in one row of ticks, so the figure stays short`, () => {
    const answer = question('crun-vs-runc');
    assert.ok(answer.pairs.length > MAX_PAIR_ROWS);
    assert.deepEqual([...new Set(questionRows(summary, answer).map((row) => row.row))], [`${answer.pairs.length} pairs`, ALL_PAIRS]);
  });

  it('names a pair from the cell ids when its cells are not in the summary, and cuts a long name in the middle', () => {
    assert.deepEqual(pairLabels({ cells: [] }, ['runc.overlay.ext4.tiny.noop.exec.c1', 'runc.overlay.xfs.tiny.noop.exec.c1']), ['ext4', 'xfs']);
    const [long] = pairLabels({ cells: [] }, ['a-very-long-runtime-name.with-a-very-long-storage-driver.on-a-filesystem']);
    assert.ok(long && long.length <= 40 && long.includes('…'));
  });

  it('is undefined for a question no pair answered', () => {
    assert.equal(questionChart(summary, { ...question('docker-vs-crun'), pairs: [] }), undefined);
  });
});

describe('rankingChart()', () => {
  const shape = summary.ranking!.shapes[0]!;

  it('draws one row per native entry, fastest on top; emulated ones are not drawn', () => {
    const rows = rankingRows(shape);
    assert.deepEqual(rows.map((row) => row.label), shape.entries.map((entry) => `${entry.runtime} · ${entry.storageDriver} · ${entry.filesystem}`));
    assert.deepEqual(rows.map((row) => row.medianMs), [...rows.map((row) => row.medianMs)].sort((a, b) => a - b));
    const spec = rankingChart(shape) as unknown as { encoding: { y: { sort: string[] } } };
    assert.deepEqual(spec.encoding.y.sort, rows.map((row) => row.label));
    assert.ok(!JSON.stringify(spec).includes('qemu-microvm+tcg'));
  });

  it('draws the CI of each median, and marks a configuration whose isolation does not hold hollow with a ✗', () => {
    const rows = rankingRows(shape);
    const layers = layersOf(rankingChart(shape));
    assert.ok(layers.some((layer) => markOf(layer) === 'errorbar' && layer.encoding?.x?.field === 'ciLowMs'));
    assert.ok(layers.some((layer) => markOf(layer) === 'bar' && String(JSON.stringify(layer.transform)).includes('isolationFails')));
    assert.ok(rows.find((row) => row.label.startsWith('crun '))?.text.endsWith(' ✗'));
    assert.ok(rows.find((row) => row.label.startsWith('lxd '))?.text.endsWith(' ?'), 'lxd was not probed: neither held nor failed');
    assert.ok(rows.filter((row) => !/^(crun|lxd) /.test(row.label)).every((row) => !row.isolationFails && row.text.endsWith(' ms')));
  });

  it('is undefined for a shape with no native entry', () => {
    assert.equal(rankingChart({ ...shape, entries: [] }), undefined);
  });
});

describe('capacityChart()', () => {
  const load = summary.load!;

  it('draws a rule at the SLO and one at the exam rate', () => {
    const layers = layersOf(capacityChart(load));
    assert.ok(layers.some((layer) => markOf(layer) === 'rule' && layer.encoding?.y?.field === 'p95Ms' && layer.data?.values[0]?.p95Ms === load.sloP95Ms));
    assert.ok(layers.some((layer) => markOf(layer) === 'rule' && layer.encoding?.x?.field === 'ratePerSecond' && layer.data?.values[0]?.ratePerSecond === load.examRatePerSecond));
  });

  it('leaves out a rate whose p95 is unknown (submissions never done), and is undefined without any', () => {
    const values = (capacityChart(load) as unknown as { layer: { data: { values: { p95Ms: number }[] } }[] }).layer[0]!.data.values;
    const known = load.series.flatMap((s) => s.rates).filter((rate) => rate.latency.p95Ms !== null).length;
    assert.equal(values.length, known);
    assert.ok(known < load.series.length * 5);
    assert.equal(capacityChart({ ...load, series: [] }), undefined);
  });
});

describe('chapter 5 figures in the registry', () => {
  it('are placed in chapter 5, with captions that state the answer', () => {
    const chapter = buildFigures(wideWithAnswers()).filter((f) => f.placement === 'chapter5');
    assert.deepEqual(chapter.map((f) => f.id), ['ranking-exec', 'question-crun-vs-runc', 'question-docker-vs-crun', 'question-user-space-kernel', 'capacity']);
    const crun = chapter.find((f) => f.id === 'question-crun-vs-runc');
    assert.match(crun?.caption ?? '', /^Is crun faster than runc\? .* The bar is the geometric mean over the pairs, [0-9.]+× \(95% CI [0-9.]+–[0-9.]+\): (supported|not supported|inconclusive)\.$/);
    assert.match(chapter.find((f) => f.id === 'capacity')?.caption ?? '', /300 students × 5 submissions in 15 minutes = 1\.67\/s/);
  });
});
