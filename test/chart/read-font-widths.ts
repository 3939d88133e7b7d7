import { readFileSync } from 'node:fs';

/**
 * Advance widths of characters in a TrueType font, in font units, read from its `head`,
 * `hhea`, `hmtx` and `cmap` (format 4, Unicode BMP) tables. Enough to check and regenerate
 * pipeline/chart/dejavu-sans-widths.ts; kerning and shaping are left out on purpose.
 */
export function readFontWidths(path: string, chars: readonly string[]): { unitsPerEm: number; widths: Record<string, number> } {
  const font = readFileSync(path);
  const tables = new Map<string, number>();
  const numTables = font.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const record = 12 + 16 * i;
    tables.set(font.toString('latin1', record, record + 4), font.readUInt32BE(record + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`${path} has no ${tag} table`);
    return offset;
  };
  const unitsPerEm = font.readUInt16BE(table('head') + 18);
  const numberOfHMetrics = font.readUInt16BE(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advance = (glyph: number) => font.readUInt16BE(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));

  // cmap: the Windows Unicode BMP subtable (platform 3, encoding 1), format 4.
  const cmap = table('cmap');
  let subtable = -1;
  for (let i = 0; i < font.readUInt16BE(cmap + 2); i++) {
    const record = cmap + 4 + 8 * i;
    if (font.readUInt16BE(record) === 3 && font.readUInt16BE(record + 2) === 1) subtable = cmap + font.readUInt32BE(record + 4);
  }
  if (subtable < 0 || font.readUInt16BE(subtable) !== 4) throw new Error(`${path} has no format-4 Unicode cmap`);
  const segX2 = font.readUInt16BE(subtable + 6);
  const ends = subtable + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  const glyphOf = (code: number): number => {
    for (let s = 0; s < segX2; s += 2) {
      if (code > font.readUInt16BE(ends + s)) continue;
      const start = font.readUInt16BE(starts + s);
      if (code < start) return 0;
      const delta = font.readInt16BE(deltas + s);
      const rangeOffset = font.readUInt16BE(rangeOffsets + s);
      if (rangeOffset === 0) return (code + delta) & 0xffff;
      const glyph = font.readUInt16BE(rangeOffsets + s + rangeOffset + 2 * (code - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
  const widths: Record<string, number> = {};
  for (const char of chars) {
    const glyph = glyphOf(char.codePointAt(0) ?? 0);
    if (glyph !== 0) widths[char] = advance(glyph);
  }
  return { unitsPerEm, widths };
}
