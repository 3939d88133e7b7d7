import { strict as assert } from 'node:assert';
import { macro, stat, text, type Block, type ReportDocument } from '../../pipeline/report/document-model.ts';
import { latexFormat, renderLatex } from '../../pipeline/report/formats/latex.ts';
import { expectGolden } from '../fixtures/golden/expect-golden.ts';
import { docOf, fixtureDocument } from './report-fixture.ts';

const heading = (text: string, level: 1 | 2 | 3 = 1): Block => ({ kind: 'heading', level, text });

describe('renderLatex()', () => {
  const doc = fixtureDocument('chapter5');
  const latex = renderLatex(doc);
  const tex = (id: string) => latex.parts.find((part) => part.id === id)?.tex ?? assert.fail(`no part ${id}`);
  const chapter5 = tex('chapter5');

  it('writes chapter 5 as in its golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden('report-chapter5.tex', chapter5);
  });

  it('writes numbers.tex as in its golden file', () => {
    expectGolden('report-chapter5-numbers.tex', latex.numbers);
  });

  it('writes chapter4.tex, chapter5.tex, appendix.tex and numbers.tex, as its fileNames say', async () => {
    const files = await latexFormat.render(doc, []);
    assert.deepEqual(files.map((file) => file.path), ['chapter4.tex', 'chapter5.tex', 'appendix.tex', 'numbers.tex']);
    assert.deepEqual(latexFormat.fileNames(doc), ['chapter4.tex', 'chapter5.tex', 'appendix.tex', 'numbers.tex']);
  });

  it('gives the same bytes for the same document', () => {
    assert.deepEqual(renderLatex(fixtureDocument('chapter5')), latex);
  });

  for (const id of ['chapter4', 'chapter5', 'appendix']) {
    it(`makes ${id}.tex a file to \\input: no \\documentclass, the packages it needs and numbers.tex named at the top`, () => {
      const part = tex(id);
      const code = part.split('\n').filter((line) => !line.startsWith('%')).join('\n');
      assert.ok(!code.includes('\\documentclass') && !code.includes('\\begin{document}') && !code.includes('\\usepackage'));
      const comments = part.split('\n').filter((line) => line.startsWith('%')).join('\n');
      for (const needed of ['\\usepackage[T1]{fontenc}', 'booktabs', 'longtable', 'array', 'graphicx', 'numbers.tex must be \\input first']) {
        assert.ok(comments.includes(needed), `${id}.tex does not mention ${needed}`);
      }
      assert.ok(part.split('\n').slice(0, 3).every((line) => line.startsWith('%')));
    });

    it(`makes ${id}.tex find its figures through \\graphicspath, under a report folder an author may define`, () => {
      const lines = tex(id).split('\n');
      const provide = lines.indexOf('\\providecommand{\\crbReportDir}{}');
      const path = lines.indexOf('\\graphicspath{{\\crbReportDir figures/}}');
      assert.ok(provide >= 0 && path === provide + 1, `${id}.tex sets no \\graphicspath after \\providecommand{\\crbReportDir}`);
      assert.ok(path < lines.findIndex((line) => line.startsWith('\\chapter{')));
      assert.match(tex(id), /\\newcommand\{\\crbReportDir\}\{reports\/reference\/\}/);
    });
  }

  it('turns each part’s level-1 heading into \\chapter, level 2 into \\section, level 3 into \\subsection', () => {
    assert.match(tex('chapter4'), /^\\chapter\{Benchmark tool\}\\label\{chap:crb-benchmark-tool\}$/m);
    assert.match(tex('chapter4'), /^\\section\{Setup\}$/m);
    assert.match(chapter5, /^\\chapter\{Measurements\}\\label\{chap:crb-measurements\}$/m);
    assert.match(chapter5, /^\\section\{Interpretation\}$/m);
    assert.match(tex('appendix'), /^\\chapter\{Measurements in full\}/m);
    const { parts } = renderLatex(docOf([heading('One'), heading('Two', 2), heading('Three', 3)]));
    assert.match(parts[0]?.tex ?? '', /\\chapter\{One\}\\label\{chap:crb-one\}\n\n\\section\{Two\}\n\n\\subsection\{Three\}\n$/);
  });

  it('tells the author to input the appendix after \\appendix', () => {
    assert.match(tex('appendix'), /^% .*after \\appendix/m);
    assert.ok(!/after \\appendix/.test(chapter5));
  });

  it('sets tables with booktabs in longtables, includes each figure’s PDF by name through the graphics path, and refers by \\ref', () => {
    const appendix = tex('appendix');
    assert.match(appendix, /\\begin\{longtable\}\{@\{\}[^\n]*@\{\}\}\n\\caption\{Every measured configuration/);
    assert.match(appendix, /\\toprule\n.*\n\\midrule\n\\endfirsthead/);
    assert.match(appendix, /\\includegraphics\[width=\\linewidth,height=0\.8\\textheight,keepaspectratio\]\{lifecycle-breakdown\.pdf\}\n {2}\\caption\{Median duration of each life-cycle phase, stacked/);
    assert.ok(!appendix.includes('{figures/'));
    assert.match(appendix, /\\tablename~\\ref\{tab:crb-per-configuration\}/);
    const { parts } = renderLatex(docOf([heading('M'), { kind: 'paragraph', content: [{ text: 'Figure 5.1', ref: { kind: 'figure', id: 'f' } }] }, { kind: 'figure', id: 'f', number: '5.1', caption: 'c', path: 'figures/f.svg' }]));
    assert.match(parts[0]?.tex ?? '', /\\figurename~\\ref\{fig:crb-f\}/);
  });

  it('shows a figure at its natural width, never wider than the line', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100"></svg>';
    const doc = docOf([heading('Measurements'), { kind: 'figure', id: 'f', number: '5.1', caption: 'c', path: 'figures/f.svg' }]);
    assert.match(renderLatex(doc, [{ id: 'f', svg }]).parts[0]?.tex ?? '', /\\includegraphics\[width=\\ifdim 300\.0pt>\\linewidth\\linewidth\\else 300\.0pt\\fi,height=0\.8\\textheight,keepaspectratio\]\{f\.pdf\}/);
  });

  it('writes a statistic as its escaped text, and numbers.tex defines nothing for it', () => {
    const { parts, numbers } = renderLatex(docOf([heading('Measurements'), { kind: 'paragraph', content: [text('median '), stat(['runc', 'ext4', 'launch', 'median ms'], '11.7_%'), text(' ms')] }]));
    assert.match(parts[0]?.tex ?? '', /^median 11\.7\\_\\% ms$/m);
    assert.ok(!/\\crb(?!ReportDir)[A-Z]/.test(parts[0]?.tex ?? ''));
    assert.ok(!numbers.includes('\\providecommand') && !numbers.includes('\\newcommand'));
  });

  describe('numbers.tex and Span.macro', () => {
    const cited: ReportDocument = {
      title: 't',
      macroPrefix: 'thesis',
      parts: [
        { id: 'chapter4', blocks: [heading('Benchmark tool'), { kind: 'paragraph', content: [text('measured '), macro('CellCount', '120'), text(' cells')] }] },
        {
          id: 'chapter5',
          blocks: [
            heading('Measurements'),
            { kind: 'paragraph', content: [text('total '), macro('RecommendedTotalMs', '12.5'), text(' ms over '), macro('CellCount', '120')] },
            { kind: 'list', items: [[macro('FastestRuntime', 'crun & co')]] },
          ],
        },
      ],
    };
    const { parts, numbers } = renderLatex(cited);

    it('writes a cited number as the macro with the document’s prefix, wherever it stands', () => {
      assert.match(parts[0]?.tex ?? '', /^measured \\thesisCellCount\{\} cells$/m);
      assert.match(parts[1]?.tex ?? '', /^total \\thesisRecommendedTotalMs\{\} ms over \\thesisCellCount\{\}$/m);
      assert.match(parts[1]?.tex ?? '', /\\item\{\} \\thesisFastestRuntime\{\}/);
      assert.ok(parts.every((part) => part.tex.includes('\\providecommand{\\thesisReportDir}{}\n\\graphicspath{{\\thesisReportDir figures/}}')));
    });

    it('defines each cited number once in numbers.tex with \\providecommand and the prefix, its text escaped, and nothing else', () => {
      const definitions = numbers.split('\n').filter((line) => !line.startsWith('%') && line !== '');
      assert.deepEqual(definitions, [
        '\\providecommand{\\thesisCellCount}{120}',
        '\\providecommand{\\thesisFastestRuntime}{crun \\& co}',
        '\\providecommand{\\thesisRecommendedTotalMs}{12.5}',
      ]);
      assert.ok(numbers.endsWith('}\n'));
    });

    it('throws when one macro stands for two different texts, even in two parts', () => {
      const conflicting: ReportDocument = {
        ...cited,
        parts: [...cited.parts, { id: 'appendix', blocks: [heading('Measurements in full'), { kind: 'paragraph', content: [macro('CellCount', '121')] }] }],
      };
      assert.throws(() => renderLatex(conflicting), /macro thesisCellCount has two texts in one report: "120" and "121"/);
      assert.throws(() => latexFormat.render(conflicting, []), /two texts/);
    });

    it('refuses a prefix that is not letters only', () => {
      assert.throws(() => renderLatex({ ...cited, macroPrefix: 'crb-2' }), /prefix "crb-2" is not letters only/);
    });
  });
});
