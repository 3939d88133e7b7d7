import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CrbenchError } from '../../errors.ts';
import { figurePaths } from '../figure-paths.ts';
import { LATEX_CHAPTER_FILE, LATEX_NUMBERS_FILE, renderLatex } from './latex.ts';
import type { FigureAsset, ReportFormat } from './report-format.ts';

export const PDF_FILE = 'chapter5.pdf';
const JOB_NAME = 'chapter5';
/** The Debian packages that give pdflatex and everything the wrapper loads. */
export const LATEX_PACKAGES = 'texlive-latex-base texlive-latex-recommended lmodern';

/**
 * A small document around the chapter, so it can be read (and checked) on its own; a thesis
 * \inputs numbers.tex and chapter5.tex into its own preamble and document instead. The
 * pdfTeX settings drop the creation date, the trailer ID and the pdfTeX info, so the same
 * chapter gives the same PDF bytes.
 */
export const WRAPPER_TEX = [
  '\\documentclass[a4paper,11pt]{report}',
  '\\usepackage[T1]{fontenc}',
  '\\usepackage{lmodern}',
  '\\usepackage[margin=25mm]{geometry}',
  '\\usepackage{booktabs}',
  '\\usepackage{longtable}',
  '\\usepackage{array}',
  '\\usepackage{graphicx}',
  '\\pdfinfoomitdate=1',
  '\\pdftrailerid{}',
  '\\pdfsuppressptexinfo=-1',
  '\\pdfinfo{/Title (Measurements) /Creator (crbench)}',
  `\\input{${LATEX_NUMBERS_FILE}}`,
  '\\begin{document}',
  `\\input{${LATEX_CHAPTER_FILE}}`,
  '\\end{document}',
  '',
].join('\n');

/**
 * chapter5.pdf: the LaTeX chapter compiled by pdflatex in a scratch folder (so .aux and
 * .log stay out of the report), twice for the references and longtable widths.
 */
export const pdfFormat: ReportFormat = {
  id: 'pdf',
  fileNames: [PDF_FILE],
  render: async (doc, figures) => {
    const { chapter, numbers } = renderLatex(doc, figures);
    const { pdf } = await compileLatex({ chapter, numbers, figures });
    return [{ path: PDF_FILE, content: pdf }];
  },
};

export interface CompiledLatex {
  pdf: Buffer;
  /** pdflatex's log and aux of the last run, for tests and error messages. */
  log: string;
  aux: string;
}

/**
 * Compiles the chapter in the wrapper with pdflatex (`-interaction=nonstopmode
 * -halt-on-error`, no shell escape), twice, with SOURCE_DATE_EPOCH=0 and FORCE_SOURCE_DATE=1
 * so that no clock reaches the PDF. Every figure must come with its PDF.
 *
 * @throws CrbenchError PDFLATEX_MISSING, FIGURE_PDF_MISSING or LATEX_FAILED.
 */
export async function compileLatex(input: { chapter: string; numbers: string; figures: readonly FigureAsset[] }): Promise<CompiledLatex> {
  const scratch = await mkdtemp(join(tmpdir(), 'crbench-latex-'));
  try {
    await writeFile(join(scratch, 'wrapper.tex'), WRAPPER_TEX);
    await writeFile(join(scratch, LATEX_CHAPTER_FILE), input.chapter);
    await writeFile(join(scratch, LATEX_NUMBERS_FILE), input.numbers);
    for (const figure of input.figures) {
      if (!figure.pdf) {
        throw new CrbenchError('FIGURE_PDF_MISSING', `figure ${figure.id} was rendered without its PDF, which the LaTeX chapter includes: render the figures with pdf enabled`);
      }
      const path = join(scratch, figurePaths(figure.id).pdf);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, figure.pdf);
    }
    for (let run = 1; run <= 2; run++) runPdflatex(scratch);
    return {
      pdf: await readFile(join(scratch, `${JOB_NAME}.pdf`)),
      log: await readFile(join(scratch, `${JOB_NAME}.log`), 'latin1'),
      aux: await readFile(join(scratch, `${JOB_NAME}.aux`), 'latin1'),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function runPdflatex(cwd: string): void {
  const result = spawnSync(
    'pdflatex',
    ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', `-jobname=${JOB_NAME}`, 'wrapper.tex'],
    {
      cwd,
      encoding: 'latin1',
      maxBuffer: 64 * 2 ** 20,
      timeout: 10 * 60 * 1000,
      env: { ...process.env, SOURCE_DATE_EPOCH: '0', FORCE_SOURCE_DATE: '1', TEXMFOUTPUT: cwd, max_print_line: '1000' },
    },
  );
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new CrbenchError(
      'PDFLATEX_MISSING',
      `pdflatex is not installed, and chapter5.pdf is compiled with it: install the Debian packages ${LATEX_PACKAGES} (apt-get install ${LATEX_PACKAGES})`,
      { cause: result.error },
    );
  }
  if (result.error || result.status !== 0) {
    throw new CrbenchError('LATEX_FAILED', `pdflatex could not compile the chapter: ${firstLatexError(result.stdout ?? '') ?? result.error?.message ?? `exit status ${result.status}`}`, {
      cause: result.error,
    });
  }
}

/**
 * The first error of a pdflatex transcript, with the line it names; a missing .sty is
 * answered with the packages to install.
 */
export function firstLatexError(transcript: string): string | undefined {
  const missing = /! LaTeX Error: File `([^']+)' not found/.exec(transcript);
  if (missing) return `${missing[1]} is missing: install the Debian packages ${LATEX_PACKAGES}`;
  const lines = transcript.split('\n');
  const start = lines.findIndex((line) => line.startsWith('! '));
  if (start < 0) return undefined;
  const context = lines.slice(start, start + 4).filter((line) => line.trim() !== '');
  return context.join(' ').replace(/\s+/g, ' ').trim();
}
