import type { TopLevelSpec } from 'vega-lite';
import type { IsolationClass, Ranking, RankingEntry, Summary } from '../types.ts';
import { runtimeDriverFilesystem } from './chart-data.ts';
import { asSpec, chartConfig, formatChartMs } from './chart-style.ts';
import { labelWidthPx, maxHeightPx, PADDING_PX, panelWidthPx } from './page-fit.ts';

type RankingShape = Ranking['shapes'][number];

export interface RankingRow {
  /** "crun · overlay · ext4". */
  label: string;
  rank: number;
  medianMs: number;
  ciLowMs: number;
  ciHighMs: number;
  isolationClass: IsolationClass;
  isolationHolds: boolean;
  /** Probed but not holding: drawn hollow, marked ✗ (a runtime not probed can neither hold nor fail). */
  isolationFails: boolean;
  /** The white inside of a hollow bar, inset from its ends. */
  hollowFromMs: number;
  hollowToMs: number;
  /** Written after the error bar: the median, ✗ where isolation does not hold, ? where it was not probed. */
  text: string;
}

/** The isolation classes in the order of the legend, each with its colour (Okabe–Ito). */
export const ISOLATION_CLASS_COLOURS: Record<IsolationClass, string> = {
  container: '#0072B2',
  'container, user namespace': '#56B4E9',
  'user-space kernel': '#E69F00',
  'virtual machine': '#009E73',
  'virtual machine, emulated': '#999999',
};

const ROW_STEP_PX = 22;
/** Below the bars: the x axis with its title, and the legend. */
const BELOW_PX = 40 + 40;
/** The room the "1234 ms ✗" text needs after the longest error bar, as a share of the scale. */
const TEXT_ROOM = 1.3;

/** The native entries a ranking figure draws, fastest first, as many as fit the page. */
export function rankingRows(shape: RankingShape): RankingRow[] {
  const entries = [...shape.entries].filter((entry) => !entry.emulated).sort((a, b) => a.totalMedianMs - b.totalMedianMs || (rowLabel(a) < rowLabel(b) ? -1 : 1));
  const rows = entries.map((entry, index) => ({
    label: rowLabel(entry),
    rank: index + 1,
    medianMs: entry.totalMedianMs,
    ciLowMs: entry.totalCiLowMs,
    ciHighMs: entry.totalCiHighMs,
    isolationClass: entry.isolationClass,
    isolationHolds: entry.isolationHolds,
    isolationFails: entry.isolationProbed !== false && !entry.isolationHolds,
    hollowFromMs: 0,
    hollowToMs: entry.totalMedianMs,
    text: `${formatChartMs(entry.totalMedianMs)} ms${entry.isolationProbed === false ? ' ?' : entry.isolationHolds ? '' : ' ✗'}`,
  }));
  // Two entries of one configuration (they should not be) stay two rows.
  const seen = new Map<string, number>();
  for (const row of rows) {
    const count = (seen.get(row.label) ?? 0) + 1;
    seen.set(row.label, count);
    if (count > 1) row.label = `${row.label} (${count})`;
  }
  return rows.slice(0, maxRows(rows));
}

function rowLabel(entry: RankingEntry): string {
  return runtimeDriverFilesystem(entry);
}

/** As many rows as keep the figure within 1.5 times its width. */
function maxRows(rows: readonly RankingRow[]): number {
  const width = figureWidth(rows);
  return Math.max(1, Math.floor((maxHeightPx(width) - 2 * PADDING_PX - BELOW_PX) / ROW_STEP_PX));
}

function figureWidth(rows: readonly RankingRow[]): number {
  return 2 * PADDING_PX + labelWidthPx(rows.map((row) => row.label)) + 12 + panelWidth(rows);
}

function panelWidth(rows: readonly RankingRow[]): number {
  return panelWidthPx(rows.map((row) => row.label), { maxPx: 380, minPx: 200 });
}

/**
 * The ranking of one life-cycle shape on the reference workload: one horizontal bar per
 * native runtime (its best storage driver and filesystem), fastest on top, the bar its
 * median total life-cycle time with the bootstrap CI as an error bar, coloured by isolation
 * class; a configuration whose isolation was probed and does not hold is a hollow bar and a
 * ✗ after its time, one whose isolation was not probed a ? after its time. Emulated entries are not drawn (they are never ranked against native ones).
 * Undefined when the shape has no native entry.
 */
export function rankingChart(shape: RankingShape): TopLevelSpec | undefined {
  const rows = rankingRows(shape);
  if (rows.length === 0) return undefined;
  const classes = (Object.keys(ISOLATION_CLASS_COLOURS) as IsolationClass[]).filter((name) => rows.some((row) => row.isolationClass === name));
  const scale = { domain: classes, range: classes.map((name) => ISOLATION_CLASS_COLOURS[name]) };
  const high = Math.max(...rows.map((row) => row.ciHighMs, 0)) * TEXT_ROOM;
  // The rim of a hollow bar: 1.5 % of the scale at each end, never more than a third of the bar.
  for (const row of rows) {
    const rim = Math.min(high * 0.015, row.medianMs / 3);
    row.hollowFromMs = rim;
    row.hollowToMs = row.medianMs - rim;
  }
  const x = { type: 'quantitative', title: 'total life-cycle time, median (ms)', scale: { domain: [0, high], nice: false }, axis: { tickCount: 5, format: '~s' } } as const;
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    width: panelWidth(rows),
    height: { step: ROW_STEP_PX },
    encoding: { y: { field: 'label', type: 'nominal', sort: rows.map((row) => row.label), title: null } },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          x: { field: 'medianMs', ...x },
          color: { field: 'isolationClass', type: 'nominal', scale, title: 'isolation', legend: { orient: 'bottom', direction: 'horizontal', columns: 3 } },
        },
      },
      // Hollow where isolation was probed and does not hold: white inside a rim of the class's colour.
      {
        transform: [{ filter: 'datum.isolationFails' }],
        mark: { type: 'bar', height: { band: 0.42 }, color: 'white' },
        encoding: { x: { field: 'hollowFromMs', ...x }, x2: { field: 'hollowToMs' } },
      },
      { mark: { type: 'errorbar', ticks: { size: 6 }, color: '#222' }, encoding: { x: { field: 'ciLowMs', ...x }, x2: { field: 'ciHighMs' } } },
      {
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 5, fontSize: 11, color: '#222' },
        encoding: { x: { field: 'ciHighMs', ...x }, text: { field: 'text', type: 'nominal' } },
      },
    ],
    config: chartConfig(),
  });
}

/** The caption of a ranking figure: what is ranked, on what, and what is left out. */
export function rankingCaption(summary: Summary, shape: RankingShape): string {
  const reference = summary.ranking?.reference;
  const drawn = rankingRows(shape);
  const native = shape.entries.filter((entry) => !entry.emulated).length;
  const confidence = Math.round(summary.bootstrap.confidence * 100);
  const on = reference
    ? ` on the reference workload (${reference.workload} on the ${reference.image} image, ${reference.concurrency === 1 ? 'one container at a time' : `${reference.concurrency} containers at once`})`
    : '';
  const emulated = shape.entries.filter((entry) => entry.emulated).length + shape.emulated.length;
  return (
    `Total life-cycle time in the ${shape.lifecycle} shape${on}, per runtime with its fastest storage driver and filesystem, fastest on top: ` +
    `the bar is the median, the error bar its bootstrap ${confidence}% confidence interval, the colour the isolation class; ` +
    'a hollow bar marked ✗ is a configuration whose isolation does not hold' +
    (drawn.some((row) => row.text.endsWith(' ?')) ? ', ? one whose isolation was not probed.' : '.') +
    (drawn.length < native ? ` The ${drawn.length} fastest of ${native} are shown.` : '') +
    (emulated > 0 ? ` ${emulated === 1 ? 'One emulated runtime is' : `${emulated} emulated runtimes are`} left out.` : '') +
    (shape.unmeasured.length > 0 ? ` Not measured: ${shape.unmeasured.map((item) => item.runtime).join(', ')}.` : '')
  );
}
