import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../types.ts';
import { FIGURES } from './figures.ts';
import { renderSvg } from './render-svg.ts';

/** A figure ready to be written and cited: its spec, its SVG and the words around it. */
export interface RenderedFigure {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
  /** The spec as written to figures/<id>.vl.json (2-space JSON, trailing newline). */
  specJson: string;
  svg: string;
}

/**
 * Stage 7: Summary → every registered figure, built and rendered, in registry order.
 * Rendered one after the other: the order of the output never depends on timing.
 */
export async function renderFigures(summary: Summary): Promise<RenderedFigure[]> {
  const figures: RenderedFigure[] = [];
  for (const figure of FIGURES) {
    const spec = figure.build(summary);
    figures.push({
      id: figure.id,
      title: figure.title,
      caption: figure.caption(summary),
      spec,
      specJson: `${JSON.stringify(spec, null, 2)}\n`,
      svg: await renderSvg(spec),
    });
  }
  return figures;
}
