import { existsSync } from 'node:fs';
import { CrbenchError } from '../errors.ts';

/**
 * The DejaVu Sans font files of Debian's fonts-dejavu-core. The figures are set in DejaVu
 * Sans everywhere: Vega lays the text out with its widths (measure-text.ts), resvg draws
 * the PNGs with these very files, and rsvg-convert finds the same family through fontconfig.
 */
export const DEJAVU_FONT_DIR = '/usr/share/fonts/truetype/dejavu';
export const DEJAVU_FONT_FILES = {
  regular: `${DEJAVU_FONT_DIR}/DejaVuSans.ttf`,
  bold: `${DEJAVU_FONT_DIR}/DejaVuSans-Bold.ttf`,
  oblique: `${DEJAVU_FONT_DIR}/DejaVuSans-Oblique.ttf`,
  boldOblique: `${DEJAVU_FONT_DIR}/DejaVuSans-BoldOblique.ttf`,
} as const;

/**
 * The font files, or an error naming the package: without them resvg would draw every
 * figure without a single letter, and say nothing.
 */
export function requireFontFiles(): string[] {
  const files = Object.values(DEJAVU_FONT_FILES);
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new CrbenchError(
      'FONT_MISSING',
      `the figures' font is missing (${missing.join(', ')}): install the Debian package fonts-dejavu-core (apt-get install fonts-dejavu-core)`,
    );
  }
  return files;
}
