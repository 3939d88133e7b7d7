import * as vega from 'vega';
import {
  DEJAVU_SANS_BOLD_WIDTHS,
  DEJAVU_SANS_CHARS,
  DEJAVU_SANS_REGULAR_WIDTHS,
  DEJAVU_SANS_UNITS_PER_EM,
} from './dejavu-sans-widths.ts';

/** A text item as Vega hands it to the width function; only these fields are read. */
interface TextItem {
  fontSize?: number | string | null;
  fontWeight?: number | string | null;
}

const REGULAR = new Map<string, number>();
const BOLD = new Map<string, number>();
[...DEJAVU_SANS_CHARS].forEach((char, index) => {
  REGULAR.set(char, DEJAVU_SANS_REGULAR_WIDTHS[index] ?? 0);
  BOLD.set(char, DEJAVU_SANS_BOLD_WIDTHS[index] ?? 0);
});
/** A character outside the table: about as wide as a digit, which errs a little wide. */
const FALLBACK_EM = 0.64;

/**
 * Width in pixels of `text` set in DejaVu Sans: the sum of the advance widths (no kerning).
 * Deterministic and the same on every machine, because the widths are a table in the code.
 */
export function measureDejaVuSans(text: string, fontSizePx: number, bold = false): number {
  const widths = bold ? BOLD : REGULAR;
  let units = 0;
  for (const char of text) units += widths.get(char) ?? FALLBACK_EM * DEJAVU_SANS_UNITS_PER_EM;
  return (units * fontSizePx) / DEJAVU_SANS_UNITS_PER_EM;
}

function isBold(weight: TextItem['fontWeight']): boolean {
  if (weight === undefined || weight === null) return false;
  if (typeof weight === 'number') return weight >= 600;
  return weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
}

/**
 * Vega's width function for text marks. Vega without a canvas estimates every character as
 * 0.8 em wide, which cuts long labels short (and pads everything); this measures the real
 * font instead, so the layout fits the text that the SVG, PDF and PNG then show. It ignores
 * `limit`: labels are given generous limits (chart-style.ts), and Vega's own truncation
 * calls this function on the shortened candidates.
 */
function dejaVuTextWidth(item: TextItem, text: unknown): number {
  const size = item.fontSize === undefined || item.fontSize === null ? 11 : Number(item.fontSize) || 0;
  if (size <= 0 || text === undefined || text === null) return 0;
  const lines = Array.isArray(text) ? text.map(String) : [String(text)];
  return Math.max(0, ...lines.map((line) => measureDejaVuSans(line.trim(), size, isBold(item.fontWeight))));
}

let installed = false;

/**
 * Makes Vega measure text in DejaVu Sans, process-wide (Vega keeps one textMetrics object;
 * vl-convert replaces its width function the same way). Idempotent.
 */
export function useDejaVuTextMetrics(): void {
  if (installed) return;
  // Not in vega's typings, but exported by vega-scenegraph and documented as replaceable.
  const { textMetrics } = vega as unknown as { textMetrics: { width: typeof dejaVuTextWidth } };
  textMetrics.width = dejaVuTextWidth;
  installed = true;
}
