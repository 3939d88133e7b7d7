import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseTarNumber, readTarballContents } from '../../../provision/images/tarball-contents.ts';

describe('readTarballContents()', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-tar-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts regular files, entries and bytes as tar packs them: hard links once, long names not as entries', () => {
    const root = path.join(dir, 'root');
    const long = path.join(root, 'x'.repeat(90), 'y'.repeat(90));
    mkdirSync(long, { recursive: true });
    writeFileSync(path.join(long, 'file-with-a-long-path'), Buffer.alloc(1000, 1));
    writeFileSync(path.join(root, 'a'), Buffer.alloc(513, 2));
    writeFileSync(path.join(root, 'empty'), '');
    linkSync(path.join(root, 'a'), path.join(root, 'a-again'));
    symlinkSync('a', path.join(root, 'link'));
    const tarball = path.join(dir, 'image.tar');
    execFileSync('tar', ['--sort=name', '--format=gnu', '-cf', tarball, '-C', root, '.']);
    // ., x…, x…/y…, the long-named file, a, a-again (a hard link), empty, link.
    assert.deepEqual(readTarballContents(tarball), { regularFiles: 3, entries: 8, contentBytes: 1000 + 513 });
    const listed = execFileSync('tar', ['-tvf', tarball], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(listed.length, 8, 'tar itself lists as many entries');
  });

  it('reads an empty archive as nothing', () => {
    const tarball = path.join(dir, 'empty.tar');
    mkdirSync(path.join(dir, 'none'));
    execFileSync('tar', ['-cf', tarball, '-C', path.join(dir, 'none'), '--files-from', '/dev/null']);
    assert.deepEqual(readTarballContents(tarball), { regularFiles: 0, entries: 0, contentBytes: 0 });
  });

  it('parseTarNumber() reads octal with NUL or space ends, and GNU base-256 for sizes of 8 GiB and more', () => {
    assert.equal(parseTarNumber(Buffer.from('00000001750\0')), 1000);
    assert.equal(parseTarNumber(Buffer.from('     1750 \0')), 1000);
    const big = Buffer.alloc(12);
    big[0] = 0x80;
    big.writeUIntBE(2 ** 34, 6, 6);
    assert.equal(parseTarNumber(big), 2 ** 34);
  });
});
