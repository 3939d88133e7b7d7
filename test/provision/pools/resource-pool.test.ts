import assert from 'node:assert/strict';
import { ResourcePool } from '../../../provision/pools/resource-pool.ts';

/** A pool of named members whose check fails for the names in `dirty`. */
function poolOf(names: string[], dirty = new Set<string>()) {
  const checked: string[] = [];
  const pool = new ResourcePool({
    name: 'test', members: names, checkBeforeTake: (member) => {
      checked.push(member);
      return dirty.has(member) ? `${member} is dirty` : undefined;
    },
  });
  return { pool, checked };
}

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('ResourcePool', () => {
  it('never hands a member to two containers at once: each take gets one nobody holds', () => {
    const { pool } = poolOf(['a', 'b', 'c']);
    const held = ['c1', 'c2', 'c3'].map((holder) => pool.take(holder));
    assert.deepEqual([...held].sort(), ['a', 'b', 'c']);
    assert.deepEqual(held.map((member) => pool.holderOf(member)), ['c1', 'c2', 'c3']);
    assert.equal(codeOf(() => pool.take('c4')), 'POOL_EXHAUSTED');
  });

  it('hands a member out again only after its holder gave it back, and checks it first', () => {
    const { pool, checked } = poolOf(['a']);
    const member = pool.take('c1');
    assert.equal(codeOf(() => pool.take('c2')), 'POOL_EXHAUSTED');
    pool.giveBack(member, 'c1');
    assert.equal(pool.holderOf(member), undefined);
    assert.equal(pool.take('c2'), 'a');
    assert.deepEqual(checked, ['a', 'a'], 'checked before each hand-out');
  });

  it('retires a member that fails its check, with the reason, and hands out the next one', () => {
    const { pool } = poolOf(['a', 'b'], new Set(['a']));
    assert.equal(pool.take('c1'), 'b');
    assert.deepEqual(pool.snapshot().map(({ state }) => state), [{ kind: 'retired', reason: 'a is dirty' }, { kind: 'held', holder: 'c1' }]);
    pool.giveBack('b', 'c1');
    assert.equal(pool.take('c2'), 'b', 'a retired member is never handed out again');
    assert.match(pool.describe(), /0 free, 1 held \(c2\), 1 retired \(a is dirty\)/);
  });

  it('refuses a give-back from a container that does not hold the member, and a second take by the same holder', () => {
    const { pool } = poolOf(['a', 'b']);
    const member = pool.take('c1');
    assert.equal(codeOf(() => pool.giveBack(member, 'c2')), 'POOL_NOT_HOLDER');
    assert.equal(codeOf(() => pool.take('c1')), 'POOL_DOUBLE_TAKE');
    pool.giveBack(member, 'c1');
    assert.equal(codeOf(() => pool.giveBack(member, 'c1')), 'POOL_NOT_HOLDER', 'given back twice');
    assert.equal(codeOf(() => pool.giveBack('z', 'c1')), 'POOL_UNKNOWN_MEMBER');
  });

  it('hands free members out oldest-returned first, so every member is reused in turn', () => {
    const { pool } = poolOf(['a', 'b', 'c']);
    const order: string[] = [];
    for (let rep = 0; rep < 6; rep += 1) {
      const member = pool.take(`c${rep}`);
      order.push(member);
      pool.giveBack(member, `c${rep}`);
    }
    assert.deepEqual(order, ['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('retires a member its holder reports unclean, keeping it out of use', () => {
    const { pool } = poolOf(['a', 'b']);
    pool.retire(pool.take('c1'), 'c1', 'an interface appeared');
    assert.equal(pool.take('c2'), 'b');
    assert.equal(codeOf(() => pool.take('c3')), 'POOL_EXHAUSTED');
  });

  it('keeps the invariant over many random batches: at most one holder per member, and every give-back by its holder', () => {
    const { pool } = poolOf(['a', 'b', 'c', 'd']);
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const holding = new Map<string, string>();
    for (let step = 0; step < 2000; step += 1) {
      if (holding.size < 4 && random() < 0.6) {
        const holder = `c${step}`;
        const member = pool.take(holder);
        assert.ok(![...holding.values()].includes(member), `${member} handed out twice`);
        holding.set(holder, member);
      } else if (holding.size > 0) {
        const [holder, member] = [...holding.entries()][Math.floor(random() * holding.size)] as [string, string];
        pool.giveBack(member, holder);
        holding.delete(holder);
      }
      const held = pool.snapshot().filter(({ state }) => state.kind === 'held');
      assert.equal(held.length, holding.size);
    }
  });
});
