import { Resvg } from '@resvg/resvg-js';
import { requireFontFiles } from './font-files.ts';

/** PNGs are drawn at twice the SVG's size: sharp on high-density screens and in slides. */
export const PNG_SCALE = 2;

/**
 * SVG → PNG with resvg, given the DejaVu font files explicitly and no system fonts: resvg
 * draws no text at all when it finds no font (silently), and system fonts would make the
 * pixels depend on the machine. White background, as the SVG's.
 */
export function renderPng(svg: string): Buffer {
  const fontFiles = requireFontFiles();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    background: 'white',
    font: {
      fontFiles,
      loadSystemFonts: false,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    shapeRendering: 2,
    textRendering: 1,
  });
  return resvg.render().asPng();
}
