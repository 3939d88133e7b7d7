import { strict as assert } from 'node:assert';
import { formatGiB, formatIntervalMs, formatMedianWithCi, formatMs, plural } from '../../pipeline/report/format-numbers.ts';

describe('formatMs()', () => {
  it('keeps 3 significant digits: 12.345 → 12.3, 1.2345 → 1.23, 0.41234 → 0.412', () => {
    assert.deepEqual([formatMs(12.345), formatMs(1.2345), formatMs(0.41234)], ['12.3', '1.23', '0.412']);
  });

  it('keeps trailing zeros, which say the digit was measured: 12 → 12.0', () => {
    assert.equal(formatMs(12), '12.0');
  });

  it('rounds hundreds to whole milliseconds: 345.6 → 346', () => {
    assert.equal(formatMs(345.6), '346');
  });

  it('writes whole milliseconds from 1000 on, never an exponent: 999.6 → 1000, 1234.5 → 1235, 30000.4 → 30000', () => {
    assert.deepEqual([formatMs(999.6), formatMs(1234.5), formatMs(30000.4)], ['1000', '1235', '30000']);
  });
});

describe('formatMedianWithCi() and formatIntervalMs()', () => {
  it('write "median [low–high]" and "low–high ms" with an en dash', () => {
    assert.equal(formatMedianWithCi(23.8955, 22.9975, 24.6645), '23.9 [23.0–24.7]');
    assert.equal(formatIntervalMs(11.31, 12.25), '11.3–12.3 ms');
  });
});

describe('formatGiB() and plural()', () => {
  it('write 24 GiB of bytes as "24.0 GiB" and count with the right noun', () => {
    assert.equal(formatGiB(25769803776), '24.0 GiB');
    assert.deepEqual([plural(1, 'line'), plural(3, 'line')], ['1 line', '3 lines']);
  });
});
