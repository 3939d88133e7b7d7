import { FIGURES } from '../../pipeline/chart/figures.ts';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import type { Block, Inline, ReportDocument } from '../../pipeline/report/document-model.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';

/** The figures the chart stage would draw for a fixture, without rendering them. */
export function figureList(name: 'chapter5' | 'wide'): { id: string; caption: string }[] {
  const input = loadSummaryPair(name);
  return FIGURES.filter((figure) => figure.build(input) !== undefined).map((figure) => ({ id: figure.id, caption: figure.caption(input) }));
}

/** The document of a fixture, as writeReport builds it. */
export function fixtureDocument(name: 'chapter5' | 'wide'): ReportDocument {
  const { summary, manifest } = loadSummaryPair(name);
  return buildDocument({ summary, manifest, figures: figureList(name) });
}

export const plain = (inline: Inline) => inline.map((span) => span.text).join('');

/** The blocks between heading `title` and the next heading of the same or a higher level. */
export function blocksUnder(doc: ReportDocument, title: string): Block[] {
  const start = doc.blocks.findIndex((b) => b.kind === 'heading' && b.text === title);
  if (start < 0) throw new Error(`no heading ${title}`);
  const level = (doc.blocks[start] as { level: number }).level;
  const end = doc.blocks.findIndex((b, i) => i > start && b.kind === 'heading' && b.level <= level);
  return doc.blocks.slice(start + 1, end < 0 ? undefined : end);
}

/** All text of some blocks, one line per paragraph or list item. */
export function textOf(blocks: Block[]): string[] {
  return blocks.flatMap((b) => (b.kind === 'paragraph' ? [plain(b.content)] : b.kind === 'list' ? b.items.map(plain) : []));
}
