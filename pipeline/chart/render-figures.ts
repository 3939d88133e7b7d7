import type { TopLevelSpec } from 'vega-lite';
import { buildFigures, type FigureInput, type FigurePlacement } from './figures.ts';
import { renderPdf } from './render-pdf.ts';
import { renderPng } from './render-png.ts';
import { renderSvg } from './render-svg.ts';

/** A figure ready to be written and cited: its spec, its renderings and the words around it. */
export interface RenderedFigure {
  id: string;
  /** Chapter 5 (at most MAX_CHAPTER5_FIGURES, the answers) or the appendix. */
  placement: FigurePlacement;
  caption: string;
  spec: TopLevelSpec;
  /** The spec as written to figures/<id>.vl.json (2-space JSON, trailing newline). */
  specJson: string;
  svg: string;
  /** rsvg-convert's PDF of the SVG, fonts embedded, for LaTeX; absent when not asked for. */
  pdf?: Buffer;
  /** resvg's PNG of the SVG at twice its size; absent when not asked for. */
  png?: Buffer;
}

export interface RenderOptions {
  /** Also render each figure as PDF (needs rsvg-convert). Default true. */
  pdf?: boolean;
  /** Also render each figure as PNG (needs the DejaVu font files). Default true. */
  png?: boolean;
}

/**
 * Stage 7: Summary (+ manifest) → every figure whose data the summary holds, built and
 * rendered, in registry order (a definition may make several, or none), each with its
 * placement; a figure without data is left out, so the report numbers only what it shows.
 * Rendered one after the other: the output never depends on timing.
 *
 * ```
 * FIGURES ─1─▶ buildFigures: { id, caption, spec, placement } per figure, none when the data is absent
 *         ─2─▶ SVG (vega, headless, DejaVu metrics)
 *         ─3─▶ PDF (rsvg-convert) and PNG (resvg), from that SVG
 * ```
 */
export async function renderFigures(input: FigureInput, options: RenderOptions = {}): Promise<RenderedFigure[]> {
  const figures: RenderedFigure[] = [];
  // 1. Build.
  for (const { id, caption, placement, spec } of buildFigures(input)) {
    // 2. SVG.
    const svg = await renderSvg(spec);
    // 3. PDF and PNG.
    figures.push({
      id,
      placement,
      caption,
      spec,
      specJson: `${JSON.stringify(spec, null, 2)}\n`,
      svg,
      ...(options.pdf === false ? {} : { pdf: renderPdf(svg) }),
      ...(options.png === false ? {} : { png: renderPng(svg) }),
    });
  }
  return figures;
}
