import type { TopLevelSpec } from 'vega-lite';
import { ISOLATION_LIMITS, LIMIT_VERDICTS, type LimitVerdict, type Summary } from '../types.ts';
import { asSpec, chartConfig } from './chart-style.ts';
import { runtimeDriverFilesystem, uniqueInOrder } from './chart-data.ts';

export interface IsolationRow {
  configuration: string;
  limit: string;
  verdict: LimitVerdict;
  /** The tile's words: the verdict and how many repetitions the probe had. */
  label: string;
}

/** What each verdict is called on a tile, its colour (Okabe–Ito) and the colour of its words. */
const VERDICT_STYLE: Record<LimitVerdict, { words: string; fill: string; ink: string }> = {
  enforced: { words: 'enforced', fill: '#009E73', ink: 'white' },
  'enforced-sandbox-killed': { words: 'enforced (sandbox killed)', fill: '#56B4E9', ink: 'black' },
  'not-enforced': { words: 'NOT enforced', fill: '#D55E00', ink: 'white' },
  unknown: { words: 'could not tell', fill: '#F0E442', ink: 'black' },
  'not-run': { words: 'not run', fill: '#dddddd', ink: 'black' },
};

/**
 * Which limits each configuration enforces: a tile per runtime · driver · filesystem and
 * limit (memory, pids, network), coloured by the isolation probes' verdict, with the number
 * of repetitions behind it. Configurations none of whose probes ran (a driver of another
 * runtime, a filesystem the host lacks) are left to the table, which gives their reasons:
 * as rows here they would bury the ones that ran. Undefined when no probe ran.
 */
export function isolationChart(summary: Summary): TopLevelSpec | undefined {
  const ran = new Set((summary.limits ?? []).filter((limit) => limit.verdict !== 'not-run').map(runtimeDriverFilesystem));
  const limits = (summary.limits ?? []).filter((limit) => ran.has(runtimeDriverFilesystem(limit)));
  if (limits.length === 0) return undefined;
  const rows: IsolationRow[] = limits.map((limit) => ({
    configuration: runtimeDriverFilesystem(limit),
    limit: limit.limit,
    verdict: limit.verdict,
    label: `${VERDICT_STYLE[limit.verdict].words}${limit.n > 0 ? ` (n = ${limit.n})` : ''}`,
  }));
  const configurations = uniqueInOrder(rows.map((row) => row.configuration));
  const verdicts = LIMIT_VERDICTS.filter((verdict) => rows.some((row) => row.verdict === verdict));
  return asSpec({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Isolation: which limits hold',
      subtitle: [
        `${summary.matrixName}: the verdict of the isolation probes per configuration and limit (the majority of the`,
        'measured repetitions; n their number): a memory hog, a fork bomb, a look for network interfaces',
      ],
    },
    data: { values: rows },
    width: { step: 120 },
    height: { step: 26 },
    encoding: {
      x: { field: 'limit', type: 'nominal', sort: ISOLATION_LIMITS, title: 'limit', axis: { orient: 'top', labelAngle: 0, domain: false, ticks: false } },
      y: { field: 'configuration', type: 'nominal', sort: configurations, title: null, axis: { domain: false, ticks: false } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          color: {
            field: 'verdict', type: 'nominal', title: 'verdict', sort: verdicts,
            scale: { domain: verdicts, range: verdicts.map((verdict) => VERDICT_STYLE[verdict].fill) },
            legend: { labelExpr: `{${LIMIT_VERDICTS.map((v) => `'${v}': '${VERDICT_STYLE[v].words}'`).join(', ')}}[datum.label]` },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          color: { field: 'verdict', type: 'nominal', scale: { domain: verdicts, range: verdicts.map((verdict) => VERDICT_STYLE[verdict].ink) }, legend: null },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config: { ...chartConfig(), view: { stroke: null } },
  });
}
