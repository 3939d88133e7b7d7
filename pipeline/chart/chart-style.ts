import type { Config, TopLevelSpec } from 'vega-lite';
import { LIFECYCLE_PHASES } from '../types.ts';

/**
 * The figures' font: DejaVu Sans, which Vega measures (measure-text.ts), resvg draws the
 * PNGs with and rsvg-convert embeds in the PDFs, so all three agree. The fallbacks only
 * matter to a browser without DejaVu; Verdana has similar widths.
 */
export const CHART_FONT = 'DejaVu Sans, Verdana, sans-serif';

/** Okabe & Ito's colour-blind-safe palette, yellow last (it is faint on white). */
export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#F0E442'];

/** One colour per life-cycle phase, in life-cycle order, the same in every figure. */
export const PHASE_COLOURS: Record<(typeof LIFECYCLE_PHASES)[number], string> = {
  create: '#0072B2',
  launch: '#E69F00',
  execute: '#009E73',
  stop: '#CC79A7',
  clean: '#56B4E9',
};

/** A label longer than this many pixels is cut with an ellipsis (page-fit.ts budgets no more for it). */
export const LABEL_LIMIT_PX = 260;

/**
 * The config every figure shares: font, white background, quiet frames, text of at least
 * 11 px (8 pt printed at \textwidth), and labels cut at LABEL_LIMIT_PX rather than Vega's
 * default 180 px. Figures carry no title: the caption is in the document.
 */
export function chartConfig(): Config {
  return {
    font: CHART_FONT,
    background: 'white',
    padding: 8,
    view: { stroke: '#ddd' },
    axis: { labelLimit: LABEL_LIMIT_PX, labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', titleColor: '#222', labelColor: '#222' },
    header: { labelLimit: LABEL_LIMIT_PX, labelFontSize: 11, labelFontWeight: 'bold', titleFontSize: 11, titleFontWeight: 'normal' },
    legend: { labelLimit: LABEL_LIMIT_PX, titleLimit: LABEL_LIMIT_PX, labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'bold', symbolOpacity: 1 },
    range: { category: OKABE_ITO },
  };
}

/** A scheme for `count` categories: Okabe–Ito up to 8, Tableau's 20 beyond (no repeats). */
export function categoryRange(count: number): { range: string[] } | { scheme: 'tableau20' } {
  return count <= OKABE_ITO.length ? { range: OKABE_ITO.slice(0, Math.max(count, 1)) } : { scheme: 'tableau20' };
}

/**
 * A spec built as plain data, typed as Vega-Lite's top-level spec. Vega-Lite's TypeScript
 * types reject some valid combinations (concat with facets, layered facets); every spec is
 * instead validated against Vega-Lite's JSON schema and compiled without warnings in
 * test/chart/figures.test.ts.
 */
export function asSpec(spec: object): TopLevelSpec {
  return spec as TopLevelSpec;
}

/**
 * Milliseconds as the report writes them: 3 significant digits, whole milliseconds from
 * 1000 on (the chart stage keeps its own copy, it imports no other stage).
 */
export function formatChartMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) >= 999.5) return ms.toFixed(0);
  return ms.toPrecision(3);
}
