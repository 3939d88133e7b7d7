import { parse, resetSVGDefIds, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { useDejaVuTextMetrics } from './measure-text.ts';

/**
 * Renders a Vega-Lite spec to SVG text without a browser or canvas: the headless 'none'
 * renderer builds the scene graph and toSVG() serialises it. The data is inlined, nothing
 * is loaded, text is laid out with DejaVu Sans's own widths and stays text, and the clip
 * and gradient ids restart at 1 for every figure, so the output is the same bytes on every
 * machine and in every order of rendering.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  useDejaVuTextMetrics();
  resetSVGDefIds();
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
