import { parse, resetSVGDefIds, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { useDejaVuTextMetrics } from './measure-text.ts';

/**
 * The one warning Vega-Lite gives for every layered facet with independent scales: each
 * layer reads a fork of the one data source, and it says it assumes exactly that. The
 * figures' facets are of that kind (a panel per phase or variant, each with its own rows);
 * the warning is dropped, every other one goes to the console as before.
 */
export const BENIGN_FACET_WARNING = /^Detected faceted independent scales that union domain of the same fields from different source/;

/** Vega-Lite's logger, less the benign facet warning. */
function figureLogger() {
  let level = 2;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error: (...args: unknown[]) => (console.error('ERROR', ...args), logger),
    warn: (...args: unknown[]) => {
      if (!BENIGN_FACET_WARNING.test(String(args[0]))) console.warn('WARN', ...args);
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

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
  const view = new View(parse(compile(spec, { logger: figureLogger() } as Parameters<typeof compile>[1]).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
