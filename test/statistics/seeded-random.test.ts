import { strict as assert } from 'node:assert';
import { deriveSeed, hashString, mulberry32 } from '../../pipeline/statistics/seeded-random.ts';

const draw = (seed: number, count: number) => {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => random());
};

describe('mulberry32()', () => {
  it('gives the same sequence for the same seed', () => {
    assert.deepEqual(draw(42, 100), draw(42, 100));
  });

  it('gives another sequence for another seed', () => {
    assert.notDeepEqual(draw(42, 10), draw(43, 10));
  });

  it('stays in [0, 1) and averages close to one half', () => {
    const values = draw(1, 20000);
    assert.ok(values.every((value) => value >= 0 && value < 1));
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  });
});

describe('hashString()', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    assert.equal(hashString(''), 0x811c9dc5);
    assert.equal(hashString('a'), 0xe40c292c);
    assert.equal(hashString('foobar'), 0xbf9cf968);
  });
});

describe('deriveSeed()', () => {
  it('gives each key its own seed and each matrix seed its own set', () => {
    assert.notEqual(deriveSeed(1, 'cell-a\u0000create'), deriveSeed(1, 'cell-a\u0000launch'));
    assert.notEqual(deriveSeed(1, 'cell-a\u0000create'), deriveSeed(2, 'cell-a\u0000create'));
    assert.equal(deriveSeed(1, 'cell-a\u0000create'), deriveSeed(1, 'cell-a\u0000create'));
  });

  it('tells apart seeds beyond 32 bits', () => {
    assert.notEqual(deriveSeed(2 ** 32 + 1, 'k'), deriveSeed(1, 'k'));
  });
});
