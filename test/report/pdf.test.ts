import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderFigures, type RenderedFigure } from '../../pipeline/chart/render-figures.ts';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import { text, type ReportDocument } from '../../pipeline/report/document-model.ts';
import { renderLatex } from '../../pipeline/report/formats/latex.ts';
import { compileLatex, firstLatexError, pdfFormat } from '../../pipeline/report/formats/pdf.ts';
import { CrbenchError } from '../../pipeline/errors.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';

const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined;

describe('pdfFormat (pdflatex)', () => {
  const { summary, manifest } = loadSummaryPair('chapter5');
  let figures: RenderedFigure[] = [];
  let doc: ReportDocument;
  let compiled: Awaited<ReturnType<typeof compileLatex>>;
  before(async () => {
    figures = await renderFigures({ summary, manifest });
    doc = buildDocument({ summary, manifest, figures });
    compiled = await compileLatex({ ...renderLatex(doc, figures), figures });
  });

  it('compiles the chapter into a PDF', () => {
    assert.equal(compiled.pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(compiled.pdf.length > 10_000);
  });

  it('typesets the chapter title and its sections (pdftotext when there, else the aux file)', async () => {
    if (hasPdftotext) {
      const scratch = await mkdtemp(join(tmpdir(), 'crbench-pdf-'));
      try {
        await writeFile(join(scratch, 'c.pdf'), compiled.pdf);
        const result = spawnSync('pdftotext', [join(scratch, 'c.pdf'), '-'], { encoding: 'utf8' });
        assert.match(result.stdout, /Measurements/);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }
    assert.match(compiled.aux, /\\numberline \{1\}Measurements\}/);
    assert.match(compiled.aux, /\\numberline \{1\.4\}Interpretation\}/);
    assert.match(compiled.log, /Output written on chapter5\.pdf \((\d+) pages/);
  });

  it('resolves every reference and every macro: no warning about either', () => {
    assert.ok(!/Reference `[^']+' on page \d+ undefined/.test(compiled.log));
    assert.ok(!/Undefined control sequence/.test(compiled.log));
    assert.ok(!/There were undefined references/.test(compiled.log));
  });

  it('gives the same bytes when compiled again: no date, no trailer ID, no paths in the PDF', async () => {
    const again = await compileLatex({ ...renderLatex(doc, figures), figures });
    assert.ok(again.pdf.equals(compiled.pdf));
    assert.ok(!/\/CreationDate|\/ID \[/.test(compiled.pdf.toString('latin1')));
  });

  it('compiles data full of LaTeX specials and foreign characters as text', async () => {
    const hostile: ReportDocument = {
      title: 'x',
      blocks: [
        { kind: 'heading', level: 1, text: 'Measurements' },
        { kind: 'paragraph', content: [text('\\end{document} $x^2$ & # % _ { } ~ [opt] <a> | "q" `b` -- --- ✓ 日本 é ß © € \u0007 10%')] },
        { kind: 'paragraph', content: [text(`Latin-1: ${Array.from({ length: 0xff - 0xa1 + 1 }, (_, i) => String.fromCharCode(0xa1 + i)).join(' ')}`)] },
        { kind: 'list', items: [[text('[starts with a bracket')], [{ text: "cp -a --x 'y' && z | w $HOME/\\n", code: true }]] },
        { kind: 'table', columns: [{ title: '#', align: 'left' }, { title: '%', align: 'right' }], rows: [[[text('[a]')], [{ text: '1.5', stat: ['a b', 'c'] }]]] },
      ],
    };
    const result = await compileLatex({ ...renderLatex(hostile), figures: [] });
    assert.equal(result.pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  });

  it('writes chapter5.pdf as its one file', async () => {
    const files = await pdfFormat.render(doc, figures);
    assert.deepEqual(files.map((file) => file.path), ['chapter5.pdf']);
    assert.ok(Buffer.from(files[0]?.content as Uint8Array).equals(compiled.pdf));
  });

  it('names the Debian packages when pdflatex is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(
        compileLatex({ ...renderLatex(doc, figures), figures }),
        (error: unknown) => error instanceof CrbenchError && error.code === 'PDFLATEX_MISSING' && /texlive-latex-base texlive-latex-recommended lmodern/.test(error.message),
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it('refuses figures without their PDF', async () => {
    await assert.rejects(
      compileLatex({ ...renderLatex(doc, figures), figures: figures.map(({ pdf: _pdf, ...figure }) => figure) }),
      (error: unknown) => error instanceof CrbenchError && error.code === 'FIGURE_PDF_MISSING',
    );
  });

  it('reports the first LaTeX error with its line, and a missing package by name', async () => {
    assert.equal(firstLatexError('x\n! LaTeX Error: File `lmodern.sty\' not found.\n'), 'lmodern.sty is missing: install the Debian packages texlive-latex-base texlive-latex-recommended lmodern');
    assert.equal(firstLatexError('a\n! Undefined control sequence.\nl.12 \\foo\n\n'), '! Undefined control sequence. l.12 \\foo');
    const broken = { chapter: '\\chapter{x}\n\\foo\n', numbers: '' };
    await assert.rejects(compileLatex({ ...broken, figures: [] }), (error: unknown) => error instanceof CrbenchError && error.code === 'LATEX_FAILED' && /Undefined control sequence/.test(error.message));
  });

  it('leaves no .aux or .log behind in the report: it compiles in a scratch folder', async () => {
    const files = await pdfFormat.render(doc, figures);
    assert.equal(files.length, 1);
    assert.ok(!(await readFile(join(tmpdir(), 'chapter5.aux')).then(() => true, () => false)));
  });
});
