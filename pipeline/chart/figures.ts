import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import { phaseMedianChart } from './phase-median-chart.ts';

/** A figure of the report: a new one is one builder file plus one entry in FIGURES. */
export interface FigureDefinition {
  /** File stem: the figure is written as figures/<id>.vl.json and figures/<id>.svg. */
  id: string;
  title: string;
  /** Built from the summary, so a caption never states a number the data does not hold. */
  caption(summary: Summary): string;
  build(summary: Summary): TopLevelSpec;
}

export const FIGURES: readonly FigureDefinition[] = [
  {
    id: 'phase-medians',
    title: 'Median duration per life-cycle phase',
    caption: (summary) =>
      'Median duration of each life-cycle phase per runtime and filesystem; error bars are ' +
      `bootstrap 95% confidence intervals of the median (seed ${summary.seed}), ` +
      `${describeN(summary)}. Each phase has its own y scale.`,
    build: phaseMedianChart,
  },
];

/** "n = 20 per point" or "n = 19–20 per point", from the phases actually summarised. */
function describeN(summary: Summary): string {
  const ns = summary.cells.flatMap((cell) => Object.values(cell.phases).map((stats) => stats.n));
  if (ns.length === 0) return 'no successful measurement';
  const low = Math.min(...ns);
  const high = Math.max(...ns);
  return low === high ? `n = ${low} per point` : `n = ${low}–${high} per point`;
}
