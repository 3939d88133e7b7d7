import { strict as assert } from 'node:assert';
import { escapeLatex, escapeLatexCode, MacroTable, macroName } from '../../pipeline/report/formats/latex-text.ts';

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

describe('macroName()', () => {
  it('capitalises each word and spells digits out, letters only', () => {
    assert.equal(macroName(['runc', 'ext4', 'launch', 'median ms']), 'crbRuncExtFourLaunchMedianMs');
    assert.equal(macroName(['cmp', 'runtime', 'crun', 'vs', 'runc', 'conc 16', 'p95 ms']), 'crbCmpRuntimeCrunVsRuncConcOneSixPNineFiveMs');
    assert.equal(macroName(['docker-cli', 'fuse-overlayfs', 'grade-python']), 'crbDockerCliFuseOverlayfsGradePython');
    assert.match(macroName(['é_ü!', '0.5']), /^[A-Za-z]+$/);
  });
});

describe('MacroTable', () => {
  it('gives one statistic one macro, and two statistics two macros even when their words collide', () => {
    const table = new MacroTable();
    assert.equal(table.use(['a-b', 'ms'], '1.00'), 'crbABMs');
    assert.equal(table.use(['a-b', 'ms'], '1.00'), 'crbABMs');
    assert.equal(table.use(['a b', 'ms'], '2.00'), 'crbABMsVariantTwo');
    assert.deepEqual(table.definitions(), ['\\newcommand{\\crbABMs}{1.00}', '\\newcommand{\\crbABMsVariantTwo}{2.00}']);
  });

  it('refuses one statistic with two values: that would be a bug in a builder', () => {
    const table = new MacroTable();
    table.use(['x'], '1');
    assert.throws(() => table.use(['x'], '2'), /two values/);
  });
});
