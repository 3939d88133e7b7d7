import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CrbenchError } from '../../errors.ts';
import type { ReportDocument, ReportPartId } from '../document-model.ts';
import { figurePaths } from '../figure-paths.ts';
import { LATEX_NUMBERS_FILE, LATEX_PREAMBLE, latexFileName, renderLatex, type RenderedLatex } from './latex.ts';
import type { FigureAsset, ReportFile, ReportFormat } from './report-format.ts';

/** The Debian packages that give pdflatex and everything the wrapper loads. */
export const LATEX_PACKAGES = 'texlive-latex-base texlive-latex-recommended lmodern';

/** A PDF the format writes: its job name (the file is <name>.pdf), its title and the parts it holds. */
export interface PdfJob {
  name: string;
  title: string;
  parts: readonly ReportPartId[];
}

/** measurements.pdf: the whole report, the appendix after \appendix. */
export const MEASUREMENTS_PDF: PdfJob = { name: 'measurements', title: 'Benchmark tool and measurements', parts: ['chapter4', 'chapter5', 'appendix'] };
/** chapter5.pdf: chapter 5 on its own, to read or send as the chapter that argues. */
export const CHAPTER5_PDF: PdfJob = { name: 'chapter5', title: 'Measurements', parts: ['chapter5'] };
export const PDF_JOBS: readonly PdfJob[] = [MEASUREMENTS_PDF, CHAPTER5_PDF];

/** The chapter number LaTeX gives a part, so the PDF's "Table 5.2" is the Markdown's. */
const CHAPTER_NUMBER: Partial<Record<ReportPartId, number>> = { chapter4: 4, chapter5: 5 };

/**
 * A small document around some parts, so they can be read (and checked) on their own; a
 * thesis \inputs numbers.tex and the part files into its own preamble and document
 * instead. Each chapter keeps its number (4, 5; the appendix is A). The pdfTeX settings
 * drop the creation date, the trailer ID and the pdfTeX info, so the same report gives the
 * same PDF bytes.
 */
export function wrapperTex(job: PdfJob, present: readonly ReportPartId[]): string {
  const parts = job.parts.filter((part) => present.includes(part));
  let chapter = 0;
  const inputs = parts.flatMap((part) => {
    const lines: string[] = [];
    if (part === 'appendix') lines.push('\\appendix');
    const number = CHAPTER_NUMBER[part];
    if (number !== undefined && number !== chapter + 1) lines.push(`\\setcounter{chapter}{${number - 1}}`);
    if (number !== undefined) chapter = number;
    lines.push(`\\input{${latexFileName(part)}}`);
    return lines;
  });
  return [
    '\\documentclass[a4paper,11pt]{report}',
    LATEX_PREAMBLE[0],
    '\\usepackage{lmodern}',
    '\\usepackage[margin=25mm]{geometry}',
    ...LATEX_PREAMBLE.slice(1),
    '\\pdfinfoomitdate=1',
    '\\pdftrailerid{}',
    '\\pdfsuppressptexinfo=-1',
    `\\pdfinfo{/Title (${job.title}) /Creator (crbench)}`,
    `\\input{${LATEX_NUMBERS_FILE}}`,
    '\\begin{document}',
    ...inputs,
    '\\end{document}',
    '',
  ].join('\n');
}

/** The jobs with a part in the document: chapter5.pdf only when it has chapter 5. */
function jobsFor(doc: ReportDocument): PdfJob[] {
  const present = doc.parts.map((part) => part.id);
  return PDF_JOBS.filter((job) => job.parts.some((part) => present.includes(part)));
}

/**
 * measurements.pdf (every part) and chapter5.pdf (chapter 5 alone): the LaTeX parts
 * compiled by pdflatex in a scratch folder (so .aux and .log stay out of the report),
 * twice each for the references and longtable widths.
 */
export const pdfFormat: ReportFormat = {
  id: 'pdf',
  fileNames: (doc) => jobsFor(doc).map((job) => `${job.name}.pdf`),
  render: async (doc, figures) => {
    const latex = renderLatex(doc, figures);
    const files: ReportFile[] = [];
    for (const job of jobsFor(doc)) files.push({ path: `${job.name}.pdf`, content: (await compileLatex({ latex, figures, job })).pdf });
    return files;
  },
};

export interface CompiledLatex {
  pdf: Buffer;
  /** pdflatex's log and aux of the last run, for tests and error messages. */
  log: string;
  aux: string;
}

/**
 * Compiles the job's parts in the wrapper with pdflatex (`-interaction=nonstopmode
 * -halt-on-error`, no shell escape), twice, with SOURCE_DATE_EPOCH=0 and FORCE_SOURCE_DATE=1
 * so that no clock reaches the PDF. Every figure must come with its PDF.
 *
 * @throws CrbenchError PDFLATEX_MISSING, FIGURE_PDF_MISSING or LATEX_FAILED.
 */
export async function compileLatex(input: { latex: RenderedLatex; figures: readonly FigureAsset[]; job?: PdfJob }): Promise<CompiledLatex> {
  const job = input.job ?? MEASUREMENTS_PDF;
  const scratch = await mkdtemp(join(tmpdir(), 'crbench-latex-'));
  try {
    await writeFile(join(scratch, 'wrapper.tex'), wrapperTex(job, input.latex.parts.map((part) => part.id)));
    for (const part of input.latex.parts) await writeFile(join(scratch, part.path), part.tex);
    await writeFile(join(scratch, LATEX_NUMBERS_FILE), input.latex.numbers);
    for (const figure of input.figures) {
      if (!figure.pdf) {
        throw new CrbenchError('FIGURE_PDF_MISSING', `figure ${figure.id} was rendered without its PDF, which the LaTeX parts include: render the figures with pdf enabled`);
      }
      const path = join(scratch, figurePaths(figure.id).pdf);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, figure.pdf);
    }
    for (let run = 1; run <= 2; run++) runPdflatex(scratch, job.name);
    return {
      pdf: await readFile(join(scratch, `${job.name}.pdf`)),
      log: await readFile(join(scratch, `${job.name}.log`), 'latin1'),
      aux: await readFile(join(scratch, `${job.name}.aux`), 'latin1'),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function runPdflatex(cwd: string, jobName: string): void {
  const result = spawnSync(
    'pdflatex',
    ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', `-jobname=${jobName}`, 'wrapper.tex'],
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
      `pdflatex is not installed, and ${jobName}.pdf is compiled with it: install the Debian packages ${LATEX_PACKAGES} (apt-get install ${LATEX_PACKAGES})`,
      { cause: result.error },
    );
  }
  if (result.error || result.status !== 0) {
    throw new CrbenchError('LATEX_FAILED', `pdflatex could not compile ${jobName}.pdf: ${firstLatexError(result.stdout ?? '') ?? result.error?.message ?? `exit status ${result.status}`}`, {
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
