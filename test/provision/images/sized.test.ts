import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FILES_PER_DIR, PADDING_FILE_KIB, paddingBytes, paddingLayout, SIZED_IMAGE_BYTES, SIZED_IMAGES, sizedKey, writePadding } from '../../../provision/images/sized.ts';

const MIB = 2 ** 20;

describe('the sized images', () => {
  it('span 64 MiB to 1 GiB of padding on top of tiny, and register one recipe each', () => {
    assert.deepEqual(SIZED_IMAGE_BYTES, { 'sized-64m': 64 * MIB, 'sized-256m': 256 * MIB, 'sized-1g': 1024 * MIB });
    assert.deepEqual(Object.keys(SIZED_IMAGES), Object.keys(SIZED_IMAGE_BYTES));
  });

  describe('paddingLayout()', () => {
    it('holds exactly the nominal bytes, in files of 8, 24, 64 and 160 KiB in turn: a mean of 64 KiB', () => {
      for (const bytes of Object.values(SIZED_IMAGE_BYTES)) {
        const files = paddingLayout(bytes);
        assert.equal(files.reduce((sum, file) => sum + file.bytes, 0), bytes);
        assert.equal(files.length, bytes / (64 * 1024), 'one file per 64 KiB: the file count grows with the bytes');
      }
      assert.deepEqual(paddingLayout(256 * 1024).map((file) => file.bytes / 1024), [...PADDING_FILE_KIB]);
    });

    it('puts 256 files in a folder, names sorted as numbers, each starting where the previous one ends in the keystream', () => {
      const files = paddingLayout(64 * MIB);
      assert.equal(files[0]?.path, '/pad/000/00000');
      assert.equal(files[FILES_PER_DIR]?.path, '/pad/001/00256');
      assert.equal(files.at(-1)?.path, '/pad/003/01023');
      for (let index = 1; index < files.length; index += 1) {
        assert.equal(files[index]?.streamOffset, (files[index - 1]?.streamOffset ?? 0) + (files[index - 1]?.bytes ?? 0));
      }
    });

    it('gives the last file what is left when the size is not a whole number of cycles', () => {
      assert.deepEqual(paddingLayout(40 * 1024).map((file) => file.bytes / 1024), [8, 24, 8]);
      assert.deepEqual(paddingLayout(0), []);
    });
  });

  it('paddingBytes() is one fixed keystream: the same bytes every time, from any offset', () => {
    const whole = paddingBytes(0, 4096);
    assert.deepEqual(paddingBytes(0, 4096), whole);
    assert.deepEqual(paddingBytes(1024, 2048), whole.subarray(1024, 3072));
    assert.notDeepEqual(whole.subarray(0, 16), Buffer.alloc(16));
    assert.throws(() => paddingBytes(8, 16), /multiple of 16/);
  });

  it('writePadding() writes the layout with fixed modes and the keystream\'s bytes', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'crbench-pad-'));
    try {
      writePadding(root, 1 * MIB);
      const files = paddingLayout(1 * MIB);
      assert.deepEqual(readdirSync(path.join(root, 'pad')), ['000']);
      assert.equal(readdirSync(path.join(root, 'pad', '000')).length, files.length);
      const last = files.at(-1)!;
      assert.deepEqual(readFileSync(path.join(root, last.path)), paddingBytes(last.streamOffset, last.bytes));
      assert.equal(statSync(path.join(root, last.path)).mode & 0o777, 0o644);
      assert.equal(statSync(path.join(root, 'pad', '000')).mode & 0o777, 0o755);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('sizedKey() changes with the tiny image, the size and the recipe, and with nothing else', () => {
    const key = sizedKey({ tinySha256: 'a', bytes: 64 * MIB });
    assert.equal(sizedKey({ tinySha256: 'a', bytes: 64 * MIB }), key);
    assert.notEqual(sizedKey({ tinySha256: 'b', bytes: 64 * MIB }), key);
    assert.notEqual(sizedKey({ tinySha256: 'a', bytes: 256 * MIB }), key);
    assert.notEqual(sizedKey({ tinySha256: 'a', bytes: 64 * MIB, recipeVersion: 'sized-0' }), key);
  });
});
