import type { TopLevelSpec } from 'vega-lite';
import type { LoadSummary } from '../types.ts';
import { logTicks, SEP, uniqueInOrder } from './chart-data.ts';
import { asSpec, categoryRange, chartConfig } from './chart-style.ts';

export interface CapacityRow {
  /** "runc", or "runc · overlay · ext4" when the series has a configuration label. */
  series: string;
  ratePerSecond: number;
  /** p95 of latency (intended arrival → graded result). */
  p95Ms: number;
  sustainable: boolean;
}

const PANEL_WIDTH_PX = 400;
const PANEL_HEIGHT_PX = 260;

/** A series as the figure names it. */
export function seriesLabel(series: { runtime: string; configLabel: string }): string {
  return series.configLabel === '' ? series.runtime : `${series.runtime}${SEP}${series.configLabel}`;
}

/** Every rate of every series whose p95 latency is known (a p95 among never-done submissions has none). */
export function capacityRows(load: LoadSummary): CapacityRow[] {
  return load.series.flatMap((series) =>
    series.rates.flatMap((rate) =>
      rate.latency.p95Ms !== null && Number.isFinite(rate.latency.p95Ms) && rate.latency.p95Ms > 0
        ? [{ series: seriesLabel(series), ratePerSecond: rate.ratePerSecond, p95Ms: rate.latency.p95Ms, sustainable: rate.sustainable }]
        : [],
    ),
  );
}

/**
 * Capacity under an open-loop load: the 95th percentile of latency (intended arrival to
 * graded result, what a student waits for) against the offered arrival rate, one line per
 * runtime (and configuration), a hollow point where the rate is not sustainable; a dashed
 * horizontal rule at the SLO and a vertical one at the exam's mean arrival rate. Log y:
 * latency explodes as the host saturates. Undefined without a rate whose p95 is known.
 */
export function capacityChart(load: LoadSummary): TopLevelSpec | undefined {
  const rows = capacityRows(load);
  if (rows.length === 0) return undefined;
  const series = uniqueInOrder(rows.map((row) => row.series));
  const colour = { domain: series, ...categoryRange(series.length) };
  const lowY = Math.min(load.sloP95Ms, ...rows.map((row) => row.p95Ms)) / 1.5;
  const highY = Math.max(load.sloP95Ms, ...rows.map((row) => row.p95Ms)) * 1.5;
  const exam = Number.isFinite(load.examRatePerSecond) && load.examRatePerSecond > 0 ? load.examRatePerSecond : null;
  const highX = Math.max(exam ?? 0, ...rows.map((row) => row.ratePerSecond)) * 1.1;
  const x = { type: 'quantitative', title: 'offered arrival rate (submissions/s)', scale: { domain: [0, highX], nice: false } } as const;
  const y = {
    type: 'quantitative', title: 'p95 latency (ms, log scale)',
    scale: { type: 'log', domain: [lowY, highY], nice: false },
    axis: { values: logTicks(lowY, highY), format: '~s' },
  } as const;
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: PANEL_WIDTH_PX,
    height: PANEL_HEIGHT_PX,
    layer: [
      {
        data: { values: rows },
        layer: [
          {
            mark: { type: 'line', strokeWidth: 1.6 },
            encoding: {
              x: { field: 'ratePerSecond', ...x },
              y: { field: 'p95Ms', ...y },
              color: { field: 'series', type: 'nominal', sort: series, title: 'runtime', scale: colour, legend: { orient: 'bottom', direction: 'horizontal', columns: 2 } },
            },
          },
          {
            mark: { type: 'point', filled: true, size: 50, opacity: 1 },
            encoding: {
              x: { field: 'ratePerSecond', ...x },
              y: { field: 'p95Ms', ...y },
              color: { field: 'series', type: 'nominal', sort: series, scale: colour },
            },
          },
          // Hollow where the rate is not sustained: white inside the point.
          {
            transform: [{ filter: '!datum.sustainable' }],
            mark: { type: 'point', filled: true, size: 16, color: 'white', opacity: 1 },
            encoding: { x: { field: 'ratePerSecond', ...x }, y: { field: 'p95Ms', ...y } },
          },
        ],
      },
      {
        data: { values: [{ p95Ms: load.sloP95Ms, label: `SLO: p95 ≤ ${formatSeconds(load.sloP95Ms)}` }] },
        layer: [
          { mark: { type: 'rule', color: '#D55E00', strokeWidth: 1.5, strokeDash: [5, 3] }, encoding: { y: { field: 'p95Ms', ...y } } },
          {
            mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 11, color: '#D55E00' },
            encoding: { x: { datum: 0, ...x }, y: { field: 'p95Ms', ...y }, text: { field: 'label', type: 'nominal' } },
          },
        ],
      },
      ...(exam === null
        ? []
        : [{
            data: { values: [{ ratePerSecond: exam, label: `exam: ${exam.toPrecision(3)}/s` }] },
            layer: [
              { mark: { type: 'rule', color: '#444', strokeWidth: 1.2 }, encoding: { x: { field: 'ratePerSecond', ...x } } },
              {
                mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 4, fontSize: 11, color: '#444' },
                encoding: { x: { field: 'ratePerSecond', ...x }, y: { datum: highY, ...y }, text: { field: 'label', type: 'nominal' } },
              },
            ],
          }]),
    ],
    config: chartConfig(),
  });
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toPrecision(3))} s` : `${Number(ms.toPrecision(3))} ms`;
}

/** The caption of the capacity figure, from the load summary's own numbers. */
export function capacityCaption(load: LoadSummary): string {
  const slots = uniqueInOrder(load.series.flatMap((series) => series.rates.map((rate) => rate.slots)));
  return (
    'The 95th percentile of latency (intended arrival to graded result) against the offered rate of Poisson arrivals, ' +
    `per runtime${slots.length === 1 ? `, ${slots[0]} submission${slots[0] === 1 ? '' : 's'} in service at once` : ''}; ` +
    'a hollow point is a rate the host does not sustain (completions short of the arrivals by more than 5 % plus the submissions in service, or p95 above the SLO). ' +
    `The dashed line is the SLO (p95 ≤ ${formatSeconds(load.sloP95Ms)}), the vertical line the exam's mean rate ` +
    `(${load.exam.students} students × ${load.exam.submissionsPerStudent} submissions in ${load.exam.windowMinutes} minutes = ${load.examRatePerSecond.toPrecision(3)}/s).`
  );
}
