import type { Block, Inline, ReportDocument, ReportPartId, Span } from '../document-model.ts';
import { partsInOrder, type ReportFile, type ReportFormat } from './report-format.ts';

/**
 * GitHub-flavoured Markdown as code-hosting sites render it, one file per part
 * (chapter4.md, chapter5.md, appendix.md): pipe tables with their captions in italics
 * above, figures as image links to the SVG next to the file with their captions in italics
 * below, statistics, cited numbers and references as plain text. Figures are linked, not
 * embedded, so `figures` is not needed here.
 */
export const markdownFormat: ReportFormat = {
  id: 'markdown',
  fileNames: (doc) => partsInOrder(doc).map((part) => markdownFileName(part.id)),
  render: (doc) => renderMarkdown(doc),
};

/** chapter4.md, chapter5.md, appendix.md. */
export function markdownFileName(part: ReportPartId): string {
  return `${part}.md`;
}

/** The document as Markdown, one file per part, in REPORT_PARTS order. */
export function renderMarkdown(doc: ReportDocument): ReportFile[] {
  return partsInOrder(doc).map((part) => ({ path: markdownFileName(part.id), content: renderMarkdownBlocks(part.blocks) }));
}

/** Blocks as Markdown: separated by a blank line, one newline at the end. */
export function renderMarkdownBlocks(blocks: readonly Block[]): string {
  return `${blocks.map(renderBlock).join('\n\n')}\n`;
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${escapeMarkdown(block.text).trim()}`;
    case 'paragraph':
      return guardBlockStart(renderInline(block.content).trim());
    case 'list':
      return block.items.map((item) => `- ${guardBlockStart(renderInline(item).trim())}`).join('\n');
    case 'table': {
      const header = `| ${block.columns.map((column) => escapeMarkdown(column.title)).join(' | ')} |`;
      const rule = `| ${block.columns.map((column) => (column.align === 'right' ? '---:' : '---')).join(' | ')} |`;
      const rows = block.rows.map((row) => `| ${row.map((cell) => renderInline(cell, { inTable: true }).trim()).join(' | ')} |`);
      const caption = block.caption !== undefined && block.number !== undefined ? [`*Table ${escapeMarkdown(block.number)}: ${escapeMarkdown(block.caption).trim()}*`, ''] : [];
      return [...caption, header, rule, ...rows].join('\n');
    }
    case 'figure':
      return (
        `![${escapeMarkdown(block.caption).trim()}](${block.path})\n\n` +
        `*Figure ${escapeMarkdown(block.number)}: ${escapeMarkdown(block.caption).trim()}*`
      );
  }
}

export function renderInline(spans: Inline, options: { inTable?: boolean } = {}): string {
  return spans.map((span) => renderSpan(span, options.inTable ?? false)).join('');
}

function renderSpan(span: Span, inTable: boolean): string {
  if (!span.code) return escapeMarkdown(span.text);
  // In a table every `|` ends a cell, even inside code; GFM reads `\|` as a literal pipe
  // there and drops the backslash. (Plain text has its pipes escaped already.)
  const rendered = codeSpan(span.text);
  return inTable ? rendered.replaceAll('|', '\\|') : rendered;
}

/**
 * Plain text to Markdown that shows exactly that text. Whitespace runs (newlines in error
 * messages included) become one space, as they would in HTML anyway, and they must not end
 * a table row or paragraph. Backslash-escaped: inline syntax (emphasis, code, links, HTML,
 * tables, strikethrough, GitHub's $ math) and `&` where it would start an entity.
 */
export function escapeMarkdown(value: string): string {
  return collapseWhitespace(value)
    .replace(/[\\`*_[\]<>|~$]/g, (char) => `\\${char}`)
    .replace(/&(?=#?\w+;)/g, '\\&');
}

/**
 * Data at the start of a paragraph or list item must not open another block (a heading,
 * a list, a quote, a setext underline): escape its first character when it could.
 */
function guardBlockStart(markdown: string): string {
  return markdown.replace(/^([#+=-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * A code span that shows `value` verbatim: the fence is one backtick longer than the longest
 * run inside, padded with spaces when the value starts or ends with a backtick (CommonMark).
 */
function codeSpan(value: string): string {
  const content = collapseWhitespace(value).trim();
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = content.startsWith('`') || content.endsWith('`') || content === '' ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

/** Runs of whitespace to one space; spans keep their edges, blocks trim their own. */
function collapseWhitespace(value: string): string {
  return value.replace(/\s+/g, ' ');
}
