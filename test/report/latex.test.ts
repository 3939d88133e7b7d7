import { strict as assert } from 'node:assert';
import { renderLatex } from '../../pipeline/report/formats/latex.ts';
import { expectGolden } from '../fixtures/golden/expect-golden.ts';
import { fixtureDocument } from './report-fixture.ts';

describe('renderLatex()', () => {
  const doc = fixtureDocument('chapter5');
  const { chapter, numbers } = renderLatex(doc);
  const defined = [...numbers.matchAll(/^\\newcommand\{\\(crb[A-Za-z]+)\}\{(.*)\}$/gm)].map((m) => m[1] as string);
  const used = [...new Set([...chapter.matchAll(/\\(crb[A-Za-z]*)\{\}/g)].map((m) => m[1] as string))];

  it('writes the chapter as in its golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden('report-chapter5.tex', chapter);
  });

  it('writes numbers.tex as in its golden file', () => {
    expectGolden('report-chapter5-numbers.tex', numbers);
  });

  it('is a \\chapter{Measurements} with sections, not a document', () => {
    assert.match(chapter, /^\\chapter\{Measurements\}\\label\{chap:crb-measurements\}$/m);
    assert.match(chapter, /^\\section\{Interpretation\}$/m);
    assert.ok(!chapter.includes('\\documentclass') && !chapter.includes('\\begin{document}'));
  });

  it('defines every macro the chapter uses, once each, letters only, and no other', () => {
    assert.deepEqual([...defined].sort(), [...used].sort());
    assert.equal(new Set(defined).size, defined.length);
    assert.ok(defined.every((name) => /^crb[A-Za-z]+$/.test(name)));
    assert.ok(defined.includes('crbRuncExtFourLaunchMedianMs'));
  });

  it('writes no measured number as digits: every statistic is a macro', () => {
    const stats = doc.blocks.flatMap((block) =>
      block.kind === 'paragraph' ? block.content : block.kind === 'list' ? block.items.flat() : block.kind === 'table' ? block.rows.flat(2) : [],
    );
    const values = [...new Set(stats.filter((span) => span.stat && /^\d+\.\d+$/.test(span.text)).map((span) => span.text))];
    assert.ok(values.length > 100);
    const body = chapter.replace(/^%.*$/gm, '');
    for (const value of values) assert.ok(!new RegExp(`(^|[^\\d.])${value.replace('.', '\\.')}($|[^\\d])`).test(body), value);
  });

  it('sets tables with booktabs in longtables, and includes each figure’s PDF with its caption and label', () => {
    assert.match(chapter, /\\begin\{longtable\}\{@\{\}[^\n]*@\{\}\}\n\\caption\{Every measured configuration/);
    assert.match(chapter, /\\toprule\n.*\n\\midrule\n\\endfirsthead/);
    assert.match(chapter, /\\includegraphics\[width=\\linewidth,height=0\.8\\textheight,keepaspectratio\]\{figures\/lifecycle-breakdown\.pdf\}\n {2}\\caption\{Median duration of each life-cycle phase, stacked/);
    assert.match(chapter, /\\figurename~\\ref\{fig:crb-lifecycle-breakdown\}/);
    assert.match(chapter, /\\tablename~\\ref\{tab:crb-per-configuration\}/);
  });
});
