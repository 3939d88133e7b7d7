import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256OfFile, tarArgs } from '../../../provision/images/cache-tarball.ts';
import type { BuiltImage } from '../../../provision/images/image-recipe.ts';
import { buildRootDisk, mksquashfsArgs } from '../../../provision/vm/root-disk.ts';

describe('mksquashfsArgs()', () => {
  it('builds without compression by default, with no xattrs and a fixed creation time', () => {
    assert.deepEqual(mksquashfsArgs('/src', '/out.squashfs', 'none'),
      ['/src', '/out.squashfs', '-noappend', '-no-xattrs', '-mkfs-time', '0', '-quiet', '-no-progress', '-noI', '-noD', '-noF', '-noX']);
    assert.deepEqual(mksquashfsArgs('/src', '/out.squashfs', 'lz4').slice(-2), ['-comp', 'lz4']);
  });
});

describe('buildRootDisk()', () => {
  let dir: string;
  let image: BuiltImage;

  beforeEach(async () => {
    dir = mkdtempSync('/var/tmp/crbench-root-disk-');
    const rootfs = path.join(dir, 'rootfs');
    mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
    writeFileSync(path.join(rootfs, 'etc/hostname'), 'grader\n');
    const tarballPath = path.join(dir, 'image.tar');
    const packed = spawnSync('tar', tarArgs(rootfs, tarballPath, { sourceDateEpoch: 1_700_000_000, clampMtime: false, keepOwners: false }));
    assert.equal(packed.status, 0, String(packed.stderr));
    image = { name: 'fake', tarballPath, tarballSha256: await sha256OfFile(tarballPath), tarballBytes: 1, fromCache: true };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same bytes from the same tarball, in another cache and at another time', async () => {
    const first = await buildRootDisk({ image, cacheDir: path.join(dir, 'cache-a'), scratchDir: path.join(dir, 'scratch') });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await buildRootDisk({ image, cacheDir: path.join(dir, 'cache-b'), scratchDir: path.join(dir, 'scratch') });
    assert.deepEqual([first.fromCache, second.fromCache], [false, false]);
    assert.equal(first.sha256, second.sha256);
    assert.equal(first.fsType, 'squashfs');
  });

  it('reuses the cached disk and leaves no scratch root behind', async () => {
    const first = await buildRootDisk({ image, cacheDir: path.join(dir, 'cache'), scratchDir: path.join(dir, 'scratch') });
    const again = await buildRootDisk({ image, cacheDir: path.join(dir, 'cache'), scratchDir: path.join(dir, 'scratch') });
    assert.deepEqual([again.fromCache, again.sha256, again.buildMs], [true, first.sha256, 0]);
    assert.deepEqual(readdirSync(path.join(dir, 'scratch')), []);
  });
});
