import { strict as assert } from 'node:assert';
import MarkdownIt from 'markdown-it';
import { code, text, type ReportDocument } from '../../pipeline/report/document-model.ts';
import { escapeMarkdown, renderMarkdown } from '../../pipeline/report/formats/markdown.ts';
import { expectGolden } from '../fixtures/golden/expect-golden.ts';
import { fixtureDocument } from './report-fixture.ts';

const render = (doc: ReportDocument) => renderMarkdown(doc);
/** What a reader sees: the Markdown rendered to HTML by a CommonMark renderer with GFM tables. */
const toHtml = (markdown: string) => new MarkdownIt({ html: false }).render(markdown);

/** The lines from `## <title>` up to the next `## `, or to the end. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no section ${title}`);
  const end = markdown.indexOf('\n## ', start + 1);
  return `${markdown.slice(start + 1, end < 0 ? undefined : end).trimEnd()}\n`;
}

const SECTIONS = ['Setup', 'Tests', 'Results', 'Interpretation', 'Recommendations', 'Summary', 'Skipped and failed cells'];

describe('markdownFormat', () => {
  const markdown = render(fixtureDocument('chapter5'));

  for (const title of SECTIONS) {
    it(`writes the ${title} section of the chapter5 fixture as in its golden file (UPDATE_GOLDEN=1 rewrites it)`, () => {
      const slug = title.toLowerCase().replace(/[^a-z]+/g, '-');
      expectGolden(`report-chapter5-${slug}.md`, section(markdown, title));
    });
  }

  it('writes the Recommendations and Interpretation of the wide fixture as in their golden files', () => {
    const wide = render(fixtureDocument('wide'));
    expectGolden('report-wide-recommendations.md', section(wide, 'Recommendations'));
    expectGolden('report-wide-interpretation.md', section(wide, 'Interpretation'));
  });

  it('writes the Concurrency, Memory and disk and Isolation subsections of the wide fixture as in their golden files', () => {
    const wide = render(fixtureDocument('wide'));
    for (const title of ['Concurrency', 'Memory and disk', 'Isolation']) {
      const start = wide.indexOf(`\n### ${title}\n`);
      assert.ok(start >= 0, `no subsection ${title}`);
      const end = wide.slice(start + 1).search(/\n##+ /);
      const slug = title.toLowerCase().replace(/[^a-z]+/g, '-');
      expectGolden(`report-wide-${slug}.md`, `${wide.slice(start + 1, end < 0 ? undefined : start + 1 + end).trimEnd()}\n`);
    }
  });

  it('links each figure as an image with its caption as alt text, and numbers the captions', () => {
    assert.match(markdown, /^!\[Median duration of each life-cycle phase, stacked[^\]]*\]\(figures\/lifecycle-breakdown\.svg\)$/m);
    assert.match(markdown, /^\*Figure 1: Median duration of each life-cycle phase, stacked/m);
    assert.match(markdown, /^\*Figure 4: Spread of the launch phase/m);
  });

  it('captions the numbered tables above them', () => {
    assert.match(markdown, /^\*Table 1: Every measured configuration[^\n]*\*\n\n\| runtime · filesystem \| phase \|/m);
  });

  it('starts with the chapter heading and ends with one newline', () => {
    assert.ok(markdown.startsWith('# Measurements\n\n## Setup\n'));
    assert.ok(markdown.endsWith('\n') && !markdown.endsWith('\n\n'));
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
      const html = toHtml(render({ title: 't', blocks: [{ kind: 'paragraph', content: [text(data)] }] }));
      assert.equal(html, `<p>${data.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</p>\n`);
    });

    it('keeps a pipe inside code in a table cell from splitting the cell', () => {
      const doc: ReportDocument = {
        title: 't',
        blocks: [{ kind: 'table', columns: [{ title: 'command', align: 'left' }, { title: 'n', align: 'right' }], rows: [[[code('ps | grep x')], [text('1')]]] }],
      };
      const html = toHtml(render(doc));
      assert.match(html, /<td><code>ps \| grep x<\/code><\/td>/);
      assert.match(html, /<td style="text-align:right">1<\/td>/);
    });

    it('fences code that contains backticks with a longer run of backticks', () => {
      const html = toHtml(render({ title: 't', blocks: [{ kind: 'paragraph', content: [code('echo `date`')] }] }));
      assert.equal(html, '<p><code>echo `date`</code></p>\n');
    });

    it('keeps a multi-line error message on one line, so it cannot break a list or a table', () => {
      const markdown = render({ title: 't', blocks: [{ kind: 'list', items: [[text('first\n\n# second\n- third')]] }] });
      assert.equal(markdown, '- first # second - third\n');
    });

    it('stops data at the start of a block from opening a heading or a list', () => {
      const html = toHtml(render({ title: 't', blocks: [{ kind: 'list', items: [[text('# not a heading')], [text('1. not a list')]] }] }));
      assert.equal(html, '<ul>\n<li># not a heading</li>\n<li>1. not a list</li>\n</ul>\n');
    });

    it('leaves ordinary text and numbers readable', () => {
      assert.equal(escapeMarkdown('crun on ext4: 11.7 ms (95% CI 11.3–12.3 ms), n = 20.'), 'crun on ext4: 11.7 ms (95% CI 11.3–12.3 ms), n = 20.');
    });
  });
});
