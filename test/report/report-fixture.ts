import { buildFigures } from '../../pipeline/chart/figures.ts';
import { buildDocument } from '../../pipeline/report/build-document.ts';
import type { Block, Inline, ReportDocument, ReportPartId } from '../../pipeline/report/document-model.ts';
import type { Manifest, Summary } from '../../pipeline/types.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';
import { analysedWide } from './analysed-fixture.ts';

/** The figures the chart stage would draw for a fixture, without rendering them. */
export function figureList(name: 'chapter5' | 'wide'): { id: string; caption: string; placement: 'chapter5' | 'appendix' }[] {
  return buildFigures(fixturePair(name)).map(({ id, caption, placement }) => ({ id, caption, placement }));
}

/**
 * A fixture's summary and manifest: chapter5 as summarised by hand (no reference workload,
 * no questions), wide through the real analyse stage with a reference workload, declared
 * questions and probe-security facts, so its chapter 5 answers.
 */
export function fixturePair(name: 'chapter5' | 'wide'): { summary: Summary; manifest: Manifest } {
  return name === 'wide' ? analysedWide() : loadSummaryPair(name);
}

/** The document of a fixture, as writeReport builds it. */
export function fixtureDocument(name: 'chapter5' | 'wide'): ReportDocument {
  const { summary, manifest } = fixturePair(name);
  return buildDocument({ summary, manifest, figures: figureList(name) });
}

export const plain = (inline: Inline) => inline.map((span) => span.text).join('');

/** The blocks of one part of a document. */
export function partBlocks(doc: ReportDocument, id: ReportPartId): Block[] {
  const part = doc.parts.find((p) => p.id === id);
  if (!part) throw new Error(`no part ${id}`);
  return part.blocks;
}

/** The blocks between heading `title` and the next heading of the same or a higher level, in whichever part has it. */
export function blocksUnder(doc: ReportDocument, title: string): Block[] {
  for (const part of doc.parts) {
    const blocks = part.blocks;
    const start = blocks.findIndex((b) => b.kind === 'heading' && b.text === title);
    if (start < 0) continue;
    const level = (blocks[start] as { level: number }).level;
    const end = blocks.findIndex((b, i) => i > start && b.kind === 'heading' && b.level <= level);
    return blocks.slice(start + 1, end < 0 ? undefined : end);
  }
  throw new Error(`no heading ${title}`);
}

/** A unit test's document: the given parts (chapter 5 by default), prefix crb. */
export function docOf(blocks: Block[], id: ReportPartId = 'chapter5', macroPrefix = 'crb'): ReportDocument {
  return { title: 't', macroPrefix, parts: [{ id, blocks }] };
}

/** All text of some blocks, one line per paragraph or list item. */
export function textOf(blocks: Block[]): string[] {
  return blocks.flatMap((b) => (b.kind === 'paragraph' ? [plain(b.content)] : b.kind === 'list' ? b.items.map(plain) : []));
}
