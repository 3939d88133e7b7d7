import { strict as assert } from 'node:assert';
import { escapeLatex, escapeLatexCode, MacroTable } from '../../pipeline/report/formats/latex-text.ts';

describe('escapeLatex()', () => {
  it('escapes every character with a meaning in LaTeX', () => {
    assert.equal(
      escapeLatex('\\ { } $ & # % _ ^ ~ [ ] < > | " `'),
      '\\textbackslash{} \\{ \\} \\$ \\& \\# \\% \\_ \\textasciicircum{} \\textasciitilde{} {[} {]} \\textless{} \\textgreater{} \\textbar{} \\textquotedbl{} \\textasciigrave{}',
    );
  });

  it('keeps hyphens from becoming dashes, and whitespace to one space', () => {
    assert.equal(escapeLatex('--root  a\n---b'), '-{}-root a -{}-{}-b');
  });

  it('writes the report’s own symbols as commands and Latin-1 letters as they are', () => {
    assert.equal(escapeLatex('2.7× · 1–2 — “x” é µ'), '2.7\\texttimes{} \\textperiodcentered{} 1\\textendash{}2 \\textemdash{} \\textquotedblleft{}x\\textquotedblright{} é \\textmu{}');
  });

  it('writes any other character as its code point instead of stopping pdflatex', () => {
    assert.equal(escapeLatex('ok ✓ 日'), 'ok [U+2713] [U+65E5]');
  });
});

describe('escapeLatexCode()', () => {
  it('sets code in monospace with straight quotes and breaks allowed after slashes', () => {
    assert.equal(
      escapeLatexCode("sh -c 'umount /sys/fs && x --root $S'"),
      '\\texttt{sh -c \\textquotesingle{}umount /\\allowbreak{}sys/\\allowbreak{}fs \\&\\& x -{}-root \\$S\\textquotesingle{}}',
    );
  });
});

describe('MacroTable', () => {
  it('names a cited number with the prefix and defines it with \\providecommand, escaped, sorted by name', () => {
    const table = new MacroTable('thesis');
    assert.equal(table.use('RecommendedTotalMs', '12.5'), 'thesisRecommendedTotalMs');
    assert.equal(table.use('FastestRuntime', 'crun_x'), 'thesisFastestRuntime');
    assert.equal(table.use('RecommendedTotalMs', '12.5'), 'thesisRecommendedTotalMs');
    assert.deepEqual(table.definitions(), ['\\providecommand{\\thesisFastestRuntime}{crun\\_x}', '\\providecommand{\\thesisRecommendedTotalMs}{12.5}']);
  });

  it('refuses one name with two texts: that would be a bug in a builder', () => {
    const table = new MacroTable('crb');
    table.use('X', '1');
    assert.throws(() => table.use('X', '2'), /macro crbX has two texts/);
  });

  it('refuses a name or a prefix that is not letters only', () => {
    assert.throws(() => new MacroTable('crb2'), /prefix/);
    assert.throws(() => new MacroTable('crb').use('Median_ms', '1'), /not letters only/);
  });
});
