import type { TopLevelSpec } from 'vega-lite';
import { LIFECYCLE_PHASES, type Summary } from '../types.ts';
import { asSpec, chartConfig, formatChartMs, PHASE_COLOURS } from './chart-style.ts';
import { lowestConcurrency, runtimeDriver, uniqueInOrder, SHAPE_AXES, variantLabel, varyingAxes, type VariantAxis } from './chart-data.ts';

/** One segment of a bar: one phase of one cell. */
export interface BreakdownRow {
  configuration: string;
  filesystem: string;
  variant: string;
  phase: string;
  phaseOrder: number;
  medianMs: number;
  /** Set on the first segment of each bar only: where the total is written. */
  totalMs: number | null;
  totalLabel: string | null;
}

const PANEL_WIDTH_PX = 180;
const BAR_STEP_PX = 22;

/**
 * Where the time of one container's life cycle goes: one horizontal bar per runtime and
 * storage driver, its segments the phase medians stacked in life-cycle order, the total
 * written at its end; one panel per filesystem. When images or workloads vary, each of
 * their combinations gets a block of panels with an x scale of its own (a 2-second copy
 * of a large image would flatten the 30-ms bars of a tiny one), shared by its filesystems
 * so bars compare across panels. One container at a time (the lowest concurrency
 * measured): concurrency has its own figure. Undefined when no cell measured a phase.
 */
export function lifecycleBreakdownChart(summary: Summary): TopLevelSpec | undefined {
  if (summary.cells.length === 0) return undefined;
  const concurrency = lowestConcurrency(summary.cells);
  const cells = summary.cells.filter((cell) => cell.concurrency === concurrency);
  const axes = varyingAxes(cells, ['image', 'workload', ...SHAPE_AXES] as VariantAxis[]);
  const rows: BreakdownRow[] = cells.flatMap((cell) => {
    const present = LIFECYCLE_PHASES.filter((phase) => cell.phases[phase]);
    return present.map((phase, index) => ({
      configuration: runtimeDriver(cell),
      filesystem: cell.filesystem,
      variant: variantLabel(cell, axes),
      phase,
      phaseOrder: LIFECYCLE_PHASES.indexOf(phase),
      medianMs: cell.phases[phase]?.medianMs ?? 0,
      totalMs: index === 0 ? cell.totalMedianMs : null,
      totalLabel: index === 0 ? formatChartMs(cell.totalMedianMs) : null,
    }));
  });
  if (rows.length === 0) return undefined;
  const filesystems = uniqueInOrder(cells.map((cell) => cell.filesystem));
  const configurations = uniqueInOrder(rows.map((row) => row.configuration));
  const variants = uniqueInOrder(rows.map((row) => row.variant));
  const maxTotalOf = (variant: string) =>
    Math.max(...rows.filter((row) => row.variant === variant).map((row) => row.totalMs ?? 0));

  const block = (variant: string) => ({
    facet: { column: { field: 'filesystem', type: 'nominal', sort: filesystems, title: null } },
    spec: {
      width: PANEL_WIDTH_PX,
      height: { step: BAR_STEP_PX },
      encoding: {
        y: { field: 'configuration', type: 'nominal', sort: configurations, title: null },
      },
      layer: [
        {
          mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            // Room after the longest bar for its total.
            x: {
              field: 'medianMs', type: 'quantitative', stack: 'zero', title: 'median duration (ms)',
              scale: { domainMax: maxTotalOf(variant) * 1.25, nice: false },
            },
            color: {
              field: 'phase',
              type: 'nominal',
              sort: [...LIFECYCLE_PHASES],
              scale: { domain: [...LIFECYCLE_PHASES], range: LIFECYCLE_PHASES.map((phase) => PHASE_COLOURS[phase]) },
              legend: { title: 'phase', orient: 'bottom', direction: 'horizontal' },
            },
            order: { field: 'phaseOrder', type: 'quantitative' },
          },
        },
        {
          transform: [{ filter: 'datum.totalMs !== null' }],
          mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 10, color: '#222' },
          encoding: {
            x: { field: 'totalMs', type: 'quantitative' },
            text: { field: 'totalLabel', type: 'nominal' },
          },
        },
      ],
    },
  });

  const subtitle = [
    `${summary.matrixName}: median of each phase per runtime · storage driver, stacked in life-cycle order;`,
    `one panel per filesystem; ${concurrency === 1 ? 'one container at a time' : `${concurrency} containers at once`}`,
  ];
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Where the life cycle spends its time', subtitle },
    data: { values: rows },
    config: chartConfig(),
  } as const;
  if (variants.length === 1) return asSpec({ ...common, ...block(variants[0] ?? '') });
  return asSpec({
    ...common,
    vconcat: variants.map((variant) => ({
      title: { text: variant, anchor: 'start', fontSize: 12, subtitle: axes.join(' · '), subtitleFontSize: 10 },
      transform: [{ filter: { field: 'variant', equal: variant } }],
      ...block(variant),
    })),
    resolve: { scale: { x: 'independent', color: 'shared' } },
  });
}
