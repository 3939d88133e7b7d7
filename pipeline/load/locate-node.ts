import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import type { PathSegment } from './messages.ts';

/**
 * The source offset a problem at `path` should point at: the value there, or with
 * `pointAt: 'key'` the key that holds it (for unknown keys, where the key is the mistake).
 *
 * Where the path leaves the document (a missing key, an index past the end) the deepest
 * node that exists is used; an empty value (`repetitions:`) points at its key, because
 * an empty range after the colon is invisible in an editor.
 */
export function locateOffset(document: Document, path: readonly PathSegment[], pointAt: 'value' | 'key' = 'value'): number {
  let node: unknown = document.contents;
  let offset = startOf(node) ?? 0;
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(document);
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = findPair(node.items, segment);
      if (pair === undefined) return offset;
      keyOffset = startOf(pair.key);
      if (pointAt === 'key' && index === path.length - 1) return keyOffset ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      return offset;
    }
    const start = isEmptyValue(node) ? undefined : startOf(node);
    const next = start ?? keyOffset;
    if (next === undefined) return offset;
    offset = next;
  }
  return offset;
}

/** The last pair with this key: with a duplicate key, yaml's toJS keeps the last value too. */
function findPair(pairs: readonly Pair[], segment: PathSegment): Pair | undefined {
  for (let i = pairs.length - 1; i >= 0; i--) {
    const pair = pairs[i];
    if (pair !== undefined && isScalar(pair.key) && String(pair.key.value) === String(segment)) return pair;
  }
  return undefined;
}

function startOf(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}

function isEmptyValue(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  return isScalar(node) && node.value === null && node.range != null && node.range[0] === node.range[1];
}
