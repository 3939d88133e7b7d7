import type { TopLevelSpec } from 'vega-lite';
import { LABEL_LIMIT_PX } from './chart-style.ts';
import { measureDejaVuSans } from './measure-text.ts';

/**
 * The printed page every figure must fit: the thesis sets figures at \textwidth ≈ 430 pt =
 * 573 px, so a figure's natural width (its SVG's width attribute) is at most 570 px, it is at
 * most 1.5 times as tall as wide, and no text is smaller than 11 px (8 pt once printed).
 */
export const PAGE_WIDTH_PX = 570;
export const MAX_ASPECT = 1.5;
export const MIN_FONT_PX = 11;
/** chartConfig()'s padding, on each side. */
export const PADDING_PX = 8;

/** The widest of `labels` in DejaVu Sans at `fontSize`, as Vega will measure it. */
export function labelWidthPx(labels: Iterable<string>, fontSize = MIN_FONT_PX, bold = false): number {
  let widest = 0;
  for (const label of labels) widest = Math.max(widest, measureDejaVuSans(label, fontSize, bold));
  return Math.ceil(Math.min(widest, LABEL_LIMIT_PX));
}

/**
 * The width left for a panel whose y axis carries `labels`, on a page of PAGE_WIDTH_PX:
 * the padding, the labels and their gap to the axis (tick and offset, ~10 px), and
 * `reservedPx` for whatever else sits beside the panel (a label after the longest bar…),
 * never more than `maxPx` nor less than `minPx`.
 */
export function panelWidthPx(labels: Iterable<string>, options: { reservedPx?: number; maxPx?: number; minPx?: number } = {}): number {
  // 12 px more on the right: the last tick label of an x axis hangs past the panel by half its width.
  const free = PAGE_WIDTH_PX - 2 * PADDING_PX - labelWidthPx(labels) - 12 - 12 - (options.reservedPx ?? 0);
  return Math.max(options.minPx ?? 120, Math.min(options.maxPx ?? 420, Math.floor(free)));
}

/** The tallest a figure of natural width `widthPx` may be. */
export function maxHeightPx(widthPx: number): number {
  return Math.floor(MAX_ASPECT * widthPx);
}

/**
 * Whether a figure of this estimated natural size fits the page, with a margin for what the
 * estimate misses (a legend's wrap, an axis title's descent).
 */
export function fitsPage(widthPx: number, heightPx: number): boolean {
  return widthPx <= PAGE_WIDTH_PX && heightPx <= maxHeightPx(widthPx) * 0.95;
}

/** The natural width of a single panel with y labels: padding, labels, their gap, the panel and what follows it. */
export function unitWidthPx(labels: Iterable<string>, panelPx: number, afterPx = 0): number {
  return 2 * PADDING_PX + labelWidthPx(labels) + 12 + panelPx + afterPx;
}

/** A figure id part: lower case, words joined by '-'. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/\+/g, '-').replace(/[^a-z0-9.]+/g, '-').replace(/\./g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '') || 'all';
}

/** One figure a builder made: its spec, the id parts that tell it from the other pieces, and what it shows. */
export interface ChartPiece {
  suffix: string[];
  describe: string[];
  spec: TopLevelSpec;
}

/** A piece of a figure: the items it draws, what tells it apart (id suffix) and the words for its caption. */
export interface Piece<T> {
  /** Joined onto the definition's id with '-', e.g. ['ext4', '2']; empty when the figure is not split. */
  suffix: string[];
  /** "ext4", "grader · grade-python", "part 2 of 3": for the caption. */
  describe: string[];
  items: T[];
}

export interface SplitOptions<T> {
  /** What must never share a figure (a life-cycle shape, an image…): each value its own pieces. */
  groupBy?: (item: T) => string;
  /** What a group too tall is split by first (the filesystem). */
  splitBy?: (item: T) => string;
  /** The row an item is drawn on: a piece still too tall is cut between rows. */
  rowOf: (item: T) => string;
  /** Whether a figure of these items fits the page (fitsPage of its estimated size). */
  fits: (items: T[]) => boolean;
  /** Put consecutive groups into one piece while it fits (groups are facets of one figure). */
  packGroups?: boolean;
  /** Say what the group is, for the caption and the id ('' = nothing to say). */
  groupLabel?: (key: string) => string;
}

/** Items by key, keys in order of first appearance. */
export function groupInOrder<T>(items: readonly T[], keyOf: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups];
}

/**
 * Splits the items of a figure into pieces that each fit the page: one piece per group
 * (or groups packed together while they fit), a group too tall split by `splitBy`, and
 * what is still too tall cut into the fewest equal runs of rows that fit. Deterministic:
 * items keep their order, and pieces follow it.
 */
export function splitToFit<T>(items: readonly T[], options: SplitOptions<T>): Piece<T>[] {
  if (items.length === 0) return [];
  const fits = options.fits;
  const groups = options.groupBy ? groupInOrder(items, options.groupBy) : [['', [...items]] as [string, T[]]];
  const label = (key: string) => (options.groupLabel ? options.groupLabel(key) : key);

  if (options.packGroups) {
    // Each group whole, or split (by splitBy, then into runs of rows) when it alone is too tall;
    // then consecutive units together while they fit.
    const units = groups.flatMap(([, group]) => {
      if (fits(group)) return [group];
      const parts = options.splitBy ? groupInOrder(group, options.splitBy).map(([, members]) => members) : [group];
      return parts.flatMap((members) => (fits(members) ? [members] : cutRows(members, options)));
    });
    const packed: T[][] = [];
    for (const unit of units) {
      const last = packed.at(-1);
      if (last && fits([...last, ...unit])) last.push(...unit);
      else packed.push([...unit]);
    }
    return packed.map((pack, index) => ({
      suffix: packed.length > 1 ? [String(index + 1)] : [],
      describe: packed.length > 1 ? [`part ${index + 1} of ${packed.length}`] : [],
      items: pack,
    }));
  }

  const pieces: Piece<T>[] = [];
  const several = groups.length > 1;
  for (const [key, group] of groups) {
    const base = several && label(key) !== '' ? [label(key)] : [];
    if (fits(group)) {
      pieces.push({ suffix: base.map(slug), describe: base, items: group });
      continue;
    }
    const parts = options.splitBy ? groupInOrder(group, options.splitBy) : [['', group] as [string, T[]]];
    for (const [part, members] of parts) {
      const named = parts.length > 1 ? [...base, part] : base;
      const runs = fits(members) ? [members] : cutRows(members, options);
      runs.forEach((run, index) => {
        const numbered = runs.length > 1 ? [...named, `part ${index + 1} of ${runs.length}`] : named;
        pieces.push({ suffix: [...named.map(slug), ...(runs.length > 1 ? [String(index + 1)] : [])], describe: numbered, items: run });
      });
    }
  }
  return pieces;
}

/** The fewest runs of whole rows, as equal as can be, that each fit (a single row always "fits"). */
function cutRows<T>(items: T[], options: SplitOptions<T>): T[][] {
  const rows = [...new Set(items.map(options.rowOf))];
  for (let count = 2; count <= rows.length; count++) {
    const size = Math.ceil(rows.length / count);
    const runs: T[][] = [];
    for (let start = 0; start < rows.length; start += size) {
      const inRun = new Set(rows.slice(start, start + size));
      runs.push(items.filter((item) => inRun.has(options.rowOf(item))));
    }
    if (runs.every(options.fits)) return runs;
  }
  return rows.map((row) => items.filter((item) => options.rowOf(item) === row));
}

/** A panel per `panel` value, stacked, its name above it: the facet of a figure whose parts were packed together. */
export function panelFacet(panels: readonly string[], field = 'panel') {
  return {
    row: {
      field, type: 'nominal', sort: [...panels], title: null,
      header: { labelOrient: 'top', labelAngle: 0, labelAnchor: 'start', labelFontSize: 11, labelFontWeight: 'bold', labelPadding: 4 },
    },
  } as const;
}

/** Per stacked panel: its header above and the spacing to the next. */
export const PANEL_HEADER_PX = 18 + 10;
