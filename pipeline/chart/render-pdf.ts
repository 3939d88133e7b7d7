import { spawnSync } from 'node:child_process';
import { CrbenchError } from '../errors.ts';

/**
 * SVG → PDF with rsvg-convert (Debian librsvg2-bin), fonts embedded, for \includegraphics.
 * cairo stamps the creation date into the PDF; SOURCE_DATE_EPOCH pins it, so the same SVG
 * gives the same PDF bytes.
 */
export function renderPdf(svg: string): Buffer {
  const result = spawnSync('rsvg-convert', ['--format', 'pdf'], {
    input: svg,
    maxBuffer: 256 * 2 ** 20,
    env: { ...process.env, SOURCE_DATE_EPOCH: '0' },
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new CrbenchError(
      'RSVG_CONVERT_MISSING',
      'rsvg-convert is not installed, and the LaTeX chapter needs its figures as PDF: install the Debian package librsvg2-bin (apt-get install librsvg2-bin)',
      { cause: result.error },
    );
  }
  if (result.error || result.status !== 0) {
    throw new CrbenchError('FIGURE_PDF_FAILED', `rsvg-convert could not turn a figure into PDF: ${result.error?.message ?? result.stderr.toString().trim()}`, { cause: result.error });
  }
  return result.stdout;
}
