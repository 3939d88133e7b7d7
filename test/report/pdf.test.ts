import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderFigures, type RenderedFigure } from '../../pipeline/chart/render-figures.ts';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import { macro, stat, text, type ReportDocument } from '../../pipeline/report/document-model.ts';
import { latexFiles, renderLatex, type RenderedLatex } from '../../pipeline/report/formats/latex.ts';
import { CHAPTER5_PDF, compileLatex, firstLatexError, MEASUREMENTS_PDF, pdfFormat, wrapperTex } from '../../pipeline/report/formats/pdf.ts';
import { CrbenchError } from '../../pipeline/errors.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';

const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined;

/** The chapters and sections of a compiled PDF's table of contents, from its aux file: "4 Benchmark tool", "5.2 Interpretation". */
const contents = (aux: string) => [...aux.matchAll(/\\contentsline \{(?:chapter|section)\}\{\\numberline \{([^}]+)\}([^}]*)\}/g)].map((m) => `${m[1]} ${m[2]}`);

async function pdfText(pdf: Buffer): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'crbench-pdf-'));
  try {
    await writeFile(join(scratch, 'c.pdf'), pdf);
    return spawnSync('pdftotext', [join(scratch, 'c.pdf'), '-'], { encoding: 'utf8' }).stdout;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

describe('pdfFormat (pdflatex)', () => {
  const { summary, manifest } = loadSummaryPair('chapter5');
  let figures: RenderedFigure[] = [];
  let doc: ReportDocument;
  let latex: RenderedLatex;
  let measurements: Awaited<ReturnType<typeof compileLatex>>;
  let chapter5: Awaited<ReturnType<typeof compileLatex>>;
  before(async () => {
    figures = await renderFigures({ summary, manifest });
    doc = buildDocument({ summary, manifest, figures });
    latex = renderLatex(doc, figures);
    measurements = await compileLatex({ latex, figures, job: MEASUREMENTS_PDF });
    chapter5 = await compileLatex({ latex, figures, job: CHAPTER5_PDF });
  });

  it('compiles measurements.pdf and chapter5.pdf', () => {
    for (const compiled of [measurements, chapter5]) {
      assert.equal(compiled.pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.ok(compiled.pdf.length > 10_000);
    }
    assert.match(measurements.log, /Output written on measurements\.pdf \((\d+) pages/);
    assert.match(chapter5.log, /Output written on chapter5\.pdf \((\d+) pages?/);
    assert.ok(measurements.pdf.length > chapter5.pdf.length);
  });

  it('holds chapter 4, chapter 5 and the appendix in measurements.pdf, numbered 4, 5 and A as in the other formats', async () => {
    const chapters = contents(measurements.aux).filter((line) => !line.includes('.'));
    assert.deepEqual(chapters, ['4 Benchmark tool', '5 Measurements', 'A Measurements in full']);
    assert.ok(contents(measurements.aux).includes('4.1 Setup'));
    assert.ok(contents(measurements.aux).some((line) => /^5\.\d Interpretation$/.test(line)));
    assert.ok(contents(measurements.aux).some((line) => /^A\.\d Skipped and failed cells$/.test(line)));
    if (hasPdftotext) assert.match(await pdfText(measurements.pdf), /Benchmark tool[\s\S]*Measurements[\s\S]*Measurements in full/);
  });

  it('holds chapter 5 alone in chapter5.pdf, still numbered 5', async () => {
    const lines = contents(chapter5.aux);
    assert.deepEqual(lines.filter((line) => !line.includes('.')), ['5 Measurements']);
    assert.ok(lines.some((line) => /^5\.\d Interpretation$/.test(line)));
    if (hasPdftotext) assert.ok(!(await pdfText(chapter5.pdf)).includes('Benchmark tool'));
  });

  it('includes every figure’s PDF through the graphics path', () => {
    for (const figure of figures) assert.ok(measurements.log.includes(`figures/${figure.id}.pdf`), figure.id);
    assert.ok(!/File `[^']+' not found/.test(measurements.log));
  });

  it('resolves every reference and every macro in both PDFs: no warning about either', () => {
    for (const compiled of [measurements, chapter5]) {
      assert.ok(!/Reference `[^']+' on page \d+ undefined/.test(compiled.log));
      assert.ok(!/Undefined control sequence/.test(compiled.log));
      assert.ok(!/There were undefined references/.test(compiled.log));
    }
  });

  it('inputs numbers.tex first and the appendix after \\appendix in the wrapper', () => {
    const wrapper = wrapperTex(MEASUREMENTS_PDF, ['chapter4', 'chapter5', 'appendix']);
    assert.ok(wrapper.startsWith('\\documentclass'));
    assert.match(wrapper, /\\input\{numbers\.tex\}\n\\begin\{document\}\n\\setcounter\{chapter\}\{3\}\n\\input\{chapter4\.tex\}\n\\input\{chapter5\.tex\}\n\\appendix\n\\input\{appendix\.tex\}\n\\end\{document\}\n$/);
    assert.match(wrapperTex(CHAPTER5_PDF, ['chapter4', 'chapter5', 'appendix']), /\\begin\{document\}\n\\setcounter\{chapter\}\{4\}\n\\input\{chapter5\.tex\}\n\\end\{document\}\n$/);
  });

  it('compiles in an author’s own thesis that inputs the parts from another folder, its figures found through \\crbReportDir', async () => {
    const thesis = await mkdtemp(join(tmpdir(), 'crbench-thesis-'));
    try {
      const report = join(thesis, 'reports', 'reference');
      await mkdir(join(report, 'figures'), { recursive: true });
      for (const file of latexFiles(latex)) await writeFile(join(report, file.path), file.content);
      for (const figure of figures) await writeFile(join(report, 'figures', `${figure.id}.pdf`), figure.pdf as Uint8Array);
      const main = [
        '\\documentclass{report}',
        '\\usepackage[T1]{fontenc}',
        '\\usepackage{lmodern}',
        '\\usepackage{booktabs}',
        '\\usepackage{longtable}',
        '\\usepackage{array}',
        '\\usepackage{graphicx}',
        '\\newcommand{\\crbReportDir}{reports/reference/}',
        '\\input{reports/reference/numbers.tex}',
        '\\begin{document}',
        '\\input{reports/reference/chapter5.tex}',
        '\\appendix',
        '\\input{reports/reference/appendix.tex}',
        '\\end{document}',
        '',
      ].join('\n');
      await writeFile(join(thesis, 'thesis.tex'), main);
      const result = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', 'thesis.tex'], {
        cwd: thesis,
        encoding: 'latin1',
        env: { ...process.env, max_print_line: '1000' },
      });
      assert.equal(result.status, 0, firstLatexError(result.stdout ?? ''));
      for (const figure of figures) assert.ok(result.stdout.includes(`reports/reference/figures/${figure.id}.pdf`), figure.id);
    } finally {
      await rm(thesis, { recursive: true, force: true });
    }
  });

  it('gives the same bytes when compiled again: no date, no trailer ID, no paths in the PDF', async () => {
    const again = await compileLatex({ latex: renderLatex(doc, figures), figures, job: MEASUREMENTS_PDF });
    assert.ok(again.pdf.equals(measurements.pdf));
    for (const compiled of [measurements, chapter5]) assert.ok(!/\/CreationDate|\/ID \[/.test(compiled.pdf.toString('latin1')));
  });

  it('writes measurements.pdf and chapter5.pdf, the ones compiled here, and no .aux or .log (it compiles in a scratch folder)', async () => {
    const files = await pdfFormat.render(doc, figures);
    assert.deepEqual(files.map((file) => file.path), ['measurements.pdf', 'chapter5.pdf']);
    assert.deepEqual(pdfFormat.fileNames(doc), ['measurements.pdf', 'chapter5.pdf']);
    assert.ok(Buffer.from(files[0]?.content as Uint8Array).equals(measurements.pdf));
    assert.ok(Buffer.from(files[1]?.content as Uint8Array).equals(chapter5.pdf));
  });

  it('compiles data full of LaTeX specials and foreign characters as text, cited numbers and statistics too', async () => {
    const hostile: ReportDocument = {
      title: 'x',
      macroPrefix: 'crb',
      parts: [
        {
          id: 'chapter5',
          blocks: [
            { kind: 'heading', level: 1, text: 'Measurements' },
            { kind: 'paragraph', content: [text('\\end{document} $x^2$ & # % _ { } ~ [opt] <a> | "q" `b` -- --- ✓ 日本 é ß © € \u0007 10%')] },
            { kind: 'paragraph', content: [text(`Latin-1: ${Array.from({ length: 0xff - 0xa1 + 1 }, (_, i) => String.fromCharCode(0xa1 + i)).join(' ')}`)] },
            { kind: 'list', items: [[text('[starts with a bracket')], [{ text: "cp -a --x 'y' && z | w $HOME/\\n", code: true }]] },
            { kind: 'paragraph', content: [macro('Total', '1.5 % & _'), text(' then '), stat(['a b', 'c'], '2_%')] },
            { kind: 'table', columns: [{ title: '#', align: 'left' }, { title: '%', align: 'right' }], rows: [[[text('[a]')], [stat(['a b', 'c'], '1.5')]]] },
          ],
        },
        { id: 'appendix', blocks: [{ kind: 'heading', level: 1, text: 'Appendix & more' }, { kind: 'paragraph', content: [macro('Total', '1.5 % & _')] }] },
      ],
    };
    for (const job of [MEASUREMENTS_PDF, CHAPTER5_PDF]) {
      const result = await compileLatex({ latex: renderLatex(hostile), figures: [], job });
      assert.equal(result.pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.ok(!/Undefined control sequence/.test(result.log));
    }
  });

  it('names the Debian packages when pdflatex is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(
        compileLatex({ latex, figures }),
        (error: unknown) => error instanceof CrbenchError && error.code === 'PDFLATEX_MISSING' && /texlive-latex-base texlive-latex-recommended lmodern/.test(error.message),
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it('refuses figures without their PDF', async () => {
    await assert.rejects(
      compileLatex({ latex, figures: figures.map(({ pdf: _pdf, ...figure }) => figure) }),
      (error: unknown) => error instanceof CrbenchError && error.code === 'FIGURE_PDF_MISSING',
    );
  });

  it('reports the first LaTeX error with its line, and a missing package by name', async () => {
    assert.equal(firstLatexError('x\n! LaTeX Error: File `lmodern.sty\' not found.\n'), 'lmodern.sty is missing: install the Debian packages texlive-latex-base texlive-latex-recommended lmodern');
    assert.equal(firstLatexError('a\n! Undefined control sequence.\nl.12 \\foo\n\n'), '! Undefined control sequence. l.12 \\foo');
    const broken: RenderedLatex = { parts: [{ id: 'chapter5', path: 'chapter5.tex', tex: '\\chapter{x}\n\\foo\n' }], numbers: '' };
    await assert.rejects(
      compileLatex({ latex: broken, figures: [], job: CHAPTER5_PDF }),
      (error: unknown) => error instanceof CrbenchError && error.code === 'LATEX_FAILED' && /chapter5\.pdf: .*Undefined control sequence/.test(error.message),
    );
  });
});
