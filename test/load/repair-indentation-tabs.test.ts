import { strict as assert } from 'node:assert';
import { expandIndentationTabs, findIndentationTabs } from '../../pipeline/load/repair-indentation-tabs.ts';

describe('findIndentationTabs()', () => {
  it('finds a tab at the start of a line and a tab after spaces, each at its own column', () => {
    assert.deepEqual(findIndentationTabs('a:\n\tb: 1\n  \tc: 2\n'), [
      { line: 2, col: 1 },
      { line: 3, col: 3 },
    ]);
  });

  it('ignores tabs after the indentation and on blank lines', () => {
    assert.deepEqual(findIndentationTabs('a:\tb\n\t\n'), []);
  });
});

describe('expandIndentationTabs()', () => {
  it('puts a tab-indented line level with its neighbour', () => {
    const { text } = expandIndentationTabs('axes:\n  runtime: [runc]\n\tfilesystem: [ext4]\n');
    assert.equal(text, 'axes:\n  runtime: [runc]\n  filesystem: [ext4]\n');
  });

  it('indents one unit deeper under a line that opens a block', () => {
    const { text } = expandIndentationTabs('a:\n  b: 1\nc:\n\td: 2\n');
    assert.equal(text, 'a:\n  b: 1\nc:\n  d: 2\n');
  });

  it('maps positions on a re-indented line back to the original columns', () => {
    const { originalPosition } = expandIndentationTabs('axes:\n    runtime: [runc]\n \tfilesystem: [ntfs]\n');
    assert.deepEqual(originalPosition({ line: 3, col: 18 }), { line: 3, col: 16 });
    assert.deepEqual(originalPosition({ line: 2, col: 5 }), { line: 2, col: 5 });
  });
});
