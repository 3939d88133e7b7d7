import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to SVG text without a browser or canvas: the headless 'none'
 * renderer builds the scene graph and toSVG() serialises it. The data is inlined, nothing
 * is loaded, and text stays text, so the output is the same on every machine.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
