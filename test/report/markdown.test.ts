import { strict as assert } from 'node:assert';
import MarkdownIt from 'markdown-it';
import { code, text, type Block, type ReportDocument } from '../../pipeline/report/document-model.ts';
import { escapeMarkdown, markdownFormat, renderMarkdown, renderMarkdownBlocks } from '../../pipeline/report/formats/markdown.ts';
import { expectGolden } from '../fixtures/golden/expect-golden.ts';
import { docOf, fixtureDocument } from './report-fixture.ts';

/** The Markdown of every part, in order, as one string (each file ends in one newline). */
const renderAll = (doc: ReportDocument) => renderMarkdown(doc).map((file) => file.content).join('');
const render = (blocks: Block[]) => renderMarkdownBlocks(blocks);
/** What a reader sees: the Markdown rendered to HTML by a CommonMark renderer with GFM tables. */
const toHtml = (markdown: string) => new MarkdownIt({ html: false }).render(markdown);

/** The lines from `## <title>` up to the next `## ` or `# `, or to the end. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no section ${title}`);
  const end = markdown.slice(start + 1).search(/\n##? /);
  return `${markdown.slice(start + 1, end < 0 ? undefined : start + 1 + end).trimEnd()}\n`;
}

const SECTIONS = ['Setup', 'Tests', 'Results', 'Interpretation', 'Recommendations', 'Summary', 'Every configuration', 'Skipped and failed cells'];

describe('markdownFormat', () => {
  const doc = fixtureDocument('chapter5');
  const files = renderMarkdown(doc);
  const markdown = renderAll(doc);
  const chapter5 = String(files.find((file) => file.path === 'chapter5.md')?.content);

  for (const title of SECTIONS) {
    it(`writes the ${title} section of the chapter5 fixture as in its golden file (UPDATE_GOLDEN=1 rewrites it)`, () => {
      const slug = title.toLowerCase().replace(/[^a-z]+/g, '-');
      expectGolden(`report-chapter5-${slug}.md`, section(markdown, title));
    });
  }

  it('writes the Results, Recommendations, Interpretation and Summary of the wide fixture as in their golden files', () => {
    const wide = renderAll(fixtureDocument('wide'));
    for (const title of ['Results', 'Recommendations', 'Interpretation', 'Summary']) {
      expectGolden(`report-wide-${title.toLowerCase()}.md`, section(wide, title));
    }
  });

  it('writes the appendix’s Concurrency, Memory and disk and Isolation sections of the wide fixture as in their golden files', () => {
    const wide = renderAll(fixtureDocument('wide'));
    for (const title of ['Concurrency', 'Memory and disk', 'Isolation']) {
      const start = wide.indexOf(`\n## ${title}\n`);
      assert.ok(start >= 0, `no subsection ${title}`);
      const end = wide.slice(start + 1).search(/\n#+ /);
      const slug = title.toLowerCase().replace(/[^a-z]+/g, '-');
      expectGolden(`report-wide-${slug}.md`, `${wide.slice(start + 1, end < 0 ? undefined : start + 1 + end).trimEnd()}\n`);
    }
  });

  it('writes one file per part, chapter4.md, chapter5.md and appendix.md, as its fileNames say', () => {
    assert.deepEqual(files.map((file) => file.path), ['chapter4.md', 'chapter5.md', 'appendix.md']);
    assert.deepEqual(markdownFormat.fileNames(doc), ['chapter4.md', 'chapter5.md', 'appendix.md']);
  });

  it('starts each part with its own chapter heading and ends each with one newline', () => {
    assert.deepEqual(
      files.map((file) => String(file.content).split('\n')[0]),
      ['# Benchmark tool', '# Measurements', '# Measurements in full'],
    );
    for (const file of files) assert.ok(String(file.content).endsWith('\n') && !String(file.content).endsWith('\n\n'), file.path);
    assert.ok(chapter5.startsWith('# Measurements\n\n') && chapter5.includes('\n## Results\n'));
  });

  it('links each figure as an image with its caption as alt text, and numbers the captions by part', () => {
    const wide = renderMarkdown(fixtureDocument('wide'));
    const [wideChapter5, wideAppendix] = ['chapter5.md', 'appendix.md'].map((name) => String(wide.find((file) => file.path === name)?.content));
    assert.match(wideChapter5!, /^!\[Total life-cycle time in the exec shape[^\]]*\]\(figures\/ranking-exec\.svg\)$/m);
    assert.match(wideChapter5!, /^\*Figure 5\.1: Total life-cycle time in the exec shape/m);
    assert.match(wideAppendix!, /^\*Figure A\.1: /m);
  });

  it('captions the numbered tables above them, with the part’s number', () => {
    const appendixMd = String(files.find((file) => file.path === 'appendix.md')?.content);
    assert.match(appendixMd, /^\*Table A\.1: Every measured configuration[^\n]*\*\n\n\| runtime · filesystem \| phase \|/m);
    const appendix = render([{ kind: 'table', number: 'A.1', caption: 'All of it.', columns: [{ title: 'x', align: 'left' }], rows: [] }]);
    assert.match(appendix, /^\*Table A\.1: All of it\.\*\n\n\| x \|/);
  });

  it('shows a cited number (Span.macro) and a statistic as their text', () => {
    const markdown = render([{ kind: 'paragraph', content: [text('total '), { text: '12.5', macro: 'RecommendedTotalMs' }, text(' and '), { text: '3.1', stat: ['a', 'ms'] }] }]);
    assert.equal(markdown, 'total 12.5 and 3.1\n');
  });

  it('writes only the parts a document has', () => {
    const files = renderMarkdown(docOf([{ kind: 'heading', level: 1, text: 'Measurements in full' }], 'appendix'));
    assert.deepEqual(files, [{ path: 'appendix.md', content: '# Measurements in full\n' }]);
  });

  it('gives the same bytes for the same document', () => {
    assert.deepEqual(renderMarkdown(fixtureDocument('chapter5')), files);
  });

  it('renders every table row with the same number of cells as its header', () => {
    const tables = toHtml(markdown).split('<table>').slice(1);
    assert.equal(tables.length, 8);
    for (const table of tables) {
      const header = (table.split('</thead>')[0]?.match(/<th[ >]/g) ?? []).length;
      const body = (table.split('<tbody>')[1] ?? '').split('</tbody>')[0] ?? '';
      for (const row of body.split('</tr>').slice(0, -1)) {
        assert.equal((row.match(/<td[ >]/g) ?? []).length, header, row);
      }
    }
  });

  describe('escaping', () => {
    it('shows data with Markdown syntax in it as the very text', () => {
      const data = 'a *b* _c_ [d](e) <f> `g` |h| $x$ ~~i~~ &amp; \\j';
      const html = toHtml(render([{ kind: 'paragraph', content: [text(data)] }]));
      assert.equal(html, `<p>${data.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</p>\n`);
    });

    it('keeps a pipe inside code in a table cell from splitting the cell', () => {
      const html = toHtml(render([{ kind: 'table', columns: [{ title: 'command', align: 'left' }, { title: 'n', align: 'right' }], rows: [[[code('ps | grep x')], [text('1')]]] }]));
      assert.match(html, /<td><code>ps \| grep x<\/code><\/td>/);
      assert.match(html, /<td style="text-align:right">1<\/td>/);
    });

    it('fences code that contains backticks with a longer run of backticks', () => {
      const html = toHtml(render([{ kind: 'paragraph', content: [code('echo `date`')] }]));
      assert.equal(html, '<p><code>echo `date`</code></p>\n');
    });

    it('keeps a multi-line error message on one line, so it cannot break a list or a table', () => {
      const markdown = render([{ kind: 'list', items: [[text('first\n\n# second\n- third')]] }]);
      assert.equal(markdown, '- first # second - third\n');
    });

    it('stops data at the start of a block from opening a heading or a list', () => {
      const html = toHtml(render([{ kind: 'list', items: [[text('# not a heading')], [text('1. not a list')]] }]));
      assert.equal(html, '<ul>\n<li># not a heading</li>\n<li>1. not a list</li>\n</ul>\n');
    });

    it('leaves ordinary text and numbers readable', () => {
      assert.equal(escapeMarkdown('crun on ext4: 11.7 ms (95% CI 11.3–12.3 ms), n = 20.'), 'crun on ext4: 11.7 ms (95% CI 11.3–12.3 ms), n = 20.');
    });
  });
});
