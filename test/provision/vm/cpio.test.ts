import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, lutimesSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareNames, entriesOfTree, newcChunks, writeNewcArchive, type CpioEntry } from '../../../provision/vm/cpio.ts';
import { readNewc } from './read-newc.ts';

const owner = { uid: 0, gid: 0, mtime: 0 };
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('newcChunks()', () => {
  const entries: CpioEntry[] = [
    { kind: 'file', name: 'bin/busybox', mode: 0o755, data: Buffer.from('#!binary'), ...owner },
    { kind: 'dir', name: 'bin', mode: 0o755, ...owner },
    { kind: 'symlink', name: 'bin/sh', target: 'busybox', ...owner },
    { kind: 'char', name: 'dev/console', mode: 0o600, major: 5, minor: 1, ...owner },
    { kind: 'dir', name: 'dev', mode: 0o755, ...owner },
  ];

  it('writes entries sorted by name, inode numbers counted in that order, parents first', () => {
    const records = readNewc(Buffer.concat([...newcChunks(entries)]));
    assert.deepEqual(records.map((record) => [record.name, record.ino]), [['bin', 1], ['bin/busybox', 2], ['bin/sh', 3], ['dev', 4], ['dev/console', 5]]);
  });

  it('keeps modes, file data, symlink targets and device numbers', () => {
    const byName = new Map(readNewc(Buffer.concat([...newcChunks(entries)])).map((record) => [record.name, record]));
    assert.equal(byName.get('bin/busybox')?.mode, 0o100755);
    assert.equal(byName.get('bin/busybox')?.data.toString(), '#!binary');
    assert.equal(byName.get('bin/sh')?.mode, 0o120777);
    assert.equal(byName.get('bin/sh')?.data.toString(), 'busybox');
    assert.deepEqual([byName.get('dev/console')?.mode, byName.get('dev/console')?.rdevMajor, byName.get('dev/console')?.rdevMinor], [0o020600, 5, 1]);
  });

  it('gives hard links one inode and the data once, with the first name', () => {
    const linked: CpioEntry[] = [
      { kind: 'file', name: 'b', mode: 0o644, data: Buffer.from('same'), linkGroup: 'x', ...owner },
      { kind: 'file', name: 'a', mode: 0o644, data: Buffer.from('same'), linkGroup: 'x', ...owner },
    ];
    const records = readNewc(Buffer.concat([...newcChunks(linked)]));
    assert.deepEqual(records.map((record) => [record.name, record.ino, record.nlink, record.data.toString()]), [['a', 1, 2, 'same'], ['b', 1, 2, '']]);
  });

  it('refuses a name that is absolute or climbs out with ..', () => {
    assert.throws(() => [...newcChunks([{ kind: 'dir', name: '/etc', mode: 0o755, ...owner }])], /relative/);
    assert.throws(() => [...newcChunks([{ kind: 'dir', name: 'a/../../etc', mode: 0o755, ...owner }])], /relative/);
  });

  it('makes an archive GNU cpio lists the same way', () => {
    const listed = spawnSync('cpio', ['-it', '--quiet'], { input: Buffer.concat([...newcChunks(entries)]) });
    assert.equal(listed.status, 0, String(listed.stderr));
    assert.deepEqual(String(listed.stdout).trim().split('\n'), ['bin', 'bin/busybox', 'bin/sh', 'dev', 'dev/console']);
  });
});

describe('compareNames()', () => {
  it('orders bytewise, so a folder precedes its entries even when a sibling sorts between them', () => {
    assert.deepEqual(['a/b', 'a-c', 'a', 'B'].sort(compareNames), ['B', 'a', 'a-c', 'a/b']);
  });
});

describe('entriesOfTree() and writeNewcArchive()', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync('/var/tmp/crbench-cpio-'); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A small tree with a hard link and a symlink, every mtime pinned. */
  function makeTree(root: string, mtime: number): void {
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    linkSync(path.join(root, 'etc/passwd'), path.join(root, 'etc/passwd.link'));
    symlinkSync('passwd', path.join(root, 'etc/alias'));
    chmodSync(path.join(root, 'etc'), 0o755);
    lutimesSync(path.join(root, 'etc/alias'), mtime, mtime);
    for (const name of ['etc/passwd', 'etc']) utimesSync(path.join(root, name), mtime, mtime);
  }

  it('gives byte-identical archives for two equal trees (gzip too), and others when an mtime differs', async () => {
    for (const [name, mtime] of [['one', 1000], ['two', 1000], ['three', 2000]] as const) makeTree(path.join(dir, name), mtime);
    for (const compression of ['none', 'gzip'] as const) {
      const archives = await Promise.all(['one', 'two', 'three'].map(async (name) => {
        const file = path.join(dir, `${name}.${compression}`);
        await writeNewcArchive(entriesOfTree(path.join(dir, name)), file, compression);
        return sha256(file);
      }));
      assert.equal(archives[0], archives[1], compression);
      assert.notEqual(archives[0], archives[2], compression);
    }
  });

  it('reads the tree\'s hard links as one link group and symlinks as targets', () => {
    makeTree(path.join(dir, 'tree'), 1000);
    const entries = entriesOfTree(path.join(dir, 'tree'));
    assert.deepEqual(entries.map((entry) => entry.name), ['etc', 'etc/alias', 'etc/passwd', 'etc/passwd.link']);
    const [passwd, link] = [entries[2], entries[3]];
    assert.ok(passwd?.kind === 'file' && link?.kind === 'file' && passwd.linkGroup !== undefined && passwd.linkGroup === link.linkGroup);
    assert.deepEqual(entries[1], { kind: 'symlink', name: 'etc/alias', target: 'passwd', uid: 0, gid: 0, mtime: 1000 });
    assert.equal(passwd.mtime, 1000);
  });
});
