import MarkdownIt from 'markdown-it';
import type { ReportDocument } from '../document-model.ts';
import { figurePaths } from '../figure-paths.ts';
import { renderMarkdownBlocks } from './markdown.ts';
import { partsInOrder, type FigureAsset, type ReportFormat } from './report-format.ts';

export const HTML_FILE = 'measurements.html';

/**
 * One self-contained HTML page holding the three parts in order (chapter 4, chapter 5, the
 * appendix), each a <section>: the Markdown rendering of each part through markdown-it,
 * each figure's SVG inlined where the Markdown links it, the style inline. Nothing is
 * fetched from anywhere, so it opens the same offline, attached to a mail, or years later.
 * Raw HTML in the Markdown is off: every piece of data reaches the page as escaped text.
 */
export const htmlFormat: ReportFormat = {
  id: 'html',
  fileNames: () => [HTML_FILE],
  render: (doc, figures) => [{ path: HTML_FILE, content: renderHtml(doc, figures) }],
};

/** The document as one HTML page, its parts in order, figures inlined. */
export function renderHtml(doc: ReportDocument, figures: readonly FigureAsset[]): string {
  const md = markdownRenderer(figures);
  const sections = partsInOrder(doc).map((part) =>
    [`<section class="part" id="${escapeHtml(part.id)}">`, md.render(renderMarkdownBlocks(part.blocks)).trimEnd(), '</section>'].join('\n'),
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * A markdown-it whose images of known figures become the inline SVG, labelled with the alt
 * text. A figure shown a second time on the page gets its ids prefixed apart again
 * (`<id>-2-`), so its clip paths and gradients stay its own.
 */
function markdownRenderer(figures: readonly FigureAsset[]) {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  const svgByPath = new Map<string, { id: string; svg: string }>(figures.map((figure) => [figurePaths(figure.id).svg, figure]));
  const shown = new Map<string, number>();
  const renderImage = md.renderer.rules.image;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const figure = token ? svgByPath.get(String(token.attrGet('src') ?? '')) : undefined;
    if (!token || figure === undefined) {
      return renderImage ? renderImage(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
    }
    const label = self.renderInlineAsText(token.children ?? [], options, env);
    const times = (shown.get(figure.id) ?? 0) + 1;
    shown.set(figure.id, times);
    return inlineSvg(figure.svg, label, times === 1 ? figure.id : `${figure.id}-${times}`);
  };
  return md;
}

/**
 * The SVG as an element of the page: without an XML prolog, marked as one image for screen
 * readers, scaled down with the page (the style sets max-width). Its ids (Vega's clip paths
 * and gradients, numbered from 1 in every figure) get the figure's id as a prefix: in one
 * page, two figures' "clip1" would otherwise clip each other's marks.
 */
export function inlineSvg(svg: string, label: string, figureId: string): string {
  const prefix = `${figureId.replace(/[^\w-]/g, '_')}-`;
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/\bhref="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`)
    .replace(/^<svg\b/, `<svg role="img" aria-label="${escapeHtml(label)}"`);
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Readable on screen and in print, tables with lined-up digits; no web fonts. */
const STYLE = [
  'body{margin:0;font-family:"DejaVu Sans",Verdana,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff}',
  'main{max-width:72rem;margin:0 auto;padding:1.5rem}',
  'h1,h2,h3{line-height:1.2}',
  'section.part+section.part{margin-top:4rem;border-top:2px solid #ddd}',
  'h2{margin-top:2.5rem;border-bottom:1px solid #ddd;padding-bottom:.25rem}',
  'table{border-collapse:collapse;margin:1rem 0;font-size:.9rem;display:block;overflow-x:auto}',
  'th,td{border:1px solid #ddd;padding:.3rem .6rem;vertical-align:top}',
  'th{background:#f4f4f4}',
  'td{font-variant-numeric:tabular-nums}',
  'code{font-family:Menlo,Consolas,monospace;font-size:.85em;background:#f4f4f4;padding:.1em .3em;border-radius:3px}',
  'svg{max-width:100%;height:auto}',
  'p>em:only-child{display:block;text-align:center;color:#444}',
].join('');
