import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sha256OfFile, tarArgs } from '../../../provision/images/cache-tarball.ts';
import type { BuiltImage } from '../../../provision/images/image-recipe.ts';
import type { GuestKernel } from '../../../provision/vm/guest-kernel.ts';
import { guestAgentScript } from '../../../provision/vm/guest-agent.ts';
import { buildBootInitramfs, buildImageInitramfs, copyRootInfeasibility } from '../../../provision/vm/initramfs.ts';
import { readNewc } from './read-newc.ts';

const MODULES = ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_console', 'virtio_blk', 'squashfs', 'overlay'];

/** A kernel as provisionGuestKernel describes one, with stand-in module files. */
function fakeKernel(dir: string): GuestKernel {
  mkdirSync(path.join(dir, 'modules'), { recursive: true });
  const depends: Record<string, string[]> = { virtio: ['virtio_ring'], virtio_mmio: ['virtio', 'virtio_ring'], virtio_console: ['virtio', 'virtio_ring'], virtio_blk: ['virtio', 'virtio_ring'] };
  const modules = MODULES.map((name) => {
    const file = path.join(dir, 'modules', `${name}.ko`);
    writeFileSync(file, `module ${name}`);
    return { name, file, depends: depends[name] ?? [] };
  });
  return {
    schemaVersion: 1, key: 'fakekernel000001', dir, package: 'linux-image-test', packageVersion: '1', debSha256: 'a'.repeat(64),
    release: '6.1.0-test', version: null, vmlinuxPath: path.join(dir, 'vmlinux'), vmlinuxSha256: 'b'.repeat(64), vmlinuxBytes: 1,
    vmlinuzSha256: 'c'.repeat(64), entry: 'pvh', bootPath: path.join(dir, 'vmlinux'), pvhEntryAddress: '0x1000000',
    payload: { format: 'xz', offset: 0, locatedBy: 'boot-header' },
    drivers: Object.fromEntries(['virtio_mmio', 'virtio_console', 'virtio_blk', 'squashfs', 'overlay'].map((name) => [name, 'module'])),
    modules, buildMs: 0, fromCache: true,
  };
}

/** A packed image as the recipes make one: a few files, an /init of its own, flattened mtimes and owners. */
async function fakeImage(dir: string, hostname = 'tiny'): Promise<BuiltImage> {
  const rootfs = path.join(dir, 'rootfs');
  for (const sub of ['bin', 'etc', 'dev']) mkdirSync(path.join(rootfs, sub), { recursive: true });
  writeFileSync(path.join(rootfs, 'etc/hostname'), `${hostname}\n`);
  writeFileSync(path.join(rootfs, 'init'), '#!/bin/sh\necho the image\'s own init\n');
  chmodSync(path.join(rootfs, 'init'), 0o755);
  utimesSync(path.join(rootfs, 'etc/hostname'), 1_700_000_000, 1_700_000_000);
  const tarballPath = path.join(dir, 'image.tar');
  const packed = spawnSync('tar', tarArgs(rootfs, tarballPath, { sourceDateEpoch: 1_700_000_000, clampMtime: true, keepOwners: false }));
  assert.equal(packed.status, 0, String(packed.stderr));
  return { name: 'fake', tarballPath, tarballSha256: await sha256OfFile(tarballPath), tarballBytes: 1, fromCache: true };
}

describe('buildImageInitramfs()', () => {
  let dir: string;
  let kernel: GuestKernel;
  let image: BuiltImage;
  let busyboxPath: string;

  beforeEach(async () => {
    dir = mkdtempSync('/var/tmp/crbench-initramfs-');
    kernel = fakeKernel(path.join(dir, 'kernel'));
    image = await fakeImage(dir);
    busyboxPath = path.join(dir, 'busybox');
    writeFileSync(busyboxPath, 'a stand-in for the static busybox');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const build = (cacheDir: string, compression: 'none' | 'gzip' = 'none') =>
    buildImageInitramfs({ image, kernel, busyboxPath, cacheDir: path.join(dir, cacheDir), scratchDir: path.join(dir, 'scratch'), compression });

  it('holds the image, the agent as /init, busybox, the channel\'s modules in load order and /dev/console', async () => {
    const built = await build('cache');
    const records = new Map(readNewc(readFileSync(built.path)).map((record) => [record.name, record]));
    assert.equal(records.get('etc/hostname')?.data.toString(), 'tiny\n');
    assert.equal(records.get('etc/hostname')?.mtime, 1_700_000_000);
    assert.equal(records.get('init')?.data.toString(), guestAgentScript());
    assert.equal(records.get('init')?.mode, 0o100755);
    assert.equal(records.get('.crbench/busybox')?.data.toString(), 'a stand-in for the static busybox');
    assert.match(records.get('.crbench/boot.conf')?.data.toString() ?? '', /^CRBENCH_MODULES='virtio_ring virtio virtio_mmio virtio_console'$/m);
    assert.match(records.get('.crbench/boot.conf')?.data.toString() ?? '', /^CRBENCH_ROOT='initramfs'$/m);
    assert.deepEqual([...records.keys()].filter((name) => name.startsWith('.crbench/modules/')),
      ['.crbench/modules/virtio.ko', '.crbench/modules/virtio_console.ko', '.crbench/modules/virtio_mmio.ko', '.crbench/modules/virtio_ring.ko']);
    assert.deepEqual([records.get('dev/console')?.rdevMajor, records.get('dev/console')?.rdevMinor], [5, 1]);
    assert.deepEqual(built.modules, ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_console']);
    assert.equal(built.sha256, await sha256OfFile(built.path));
  });

  it('gives the same bytes when built again from the same inputs, uncompressed or gzip', async () => {
    for (const compression of ['none', 'gzip'] as const) {
      const first = await build(`cache-a-${compression}`, compression);
      const second = await build(`cache-b-${compression}`, compression);
      assert.equal(first.fromCache || second.fromCache, false);
      assert.equal(first.sha256, second.sha256, compression);
      assert.equal(path.basename(first.path), path.basename(second.path));
    }
  });

  it('reuses the cached archive, and leaves nothing in the scratch folder', async () => {
    const first = await build('cache');
    const again = await build('cache');
    assert.deepEqual([first.fromCache, again.fromCache, again.buildMs], [false, true, 0]);
    assert.equal(again.sha256, first.sha256);
    assert.deepEqual(readdirSync(path.join(dir, 'scratch')), []);
  });

  it('changes key and bytes when the image changes', async () => {
    const first = await build('cache');
    image = await fakeImage(dir, 'other');
    const second = await build('cache');
    assert.notEqual(first.key, second.key);
    assert.notEqual(first.sha256, second.sha256);
  });
});

describe('buildBootInitramfs()', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync('/var/tmp/crbench-initramfs-'); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the agent and the disk root\'s modules, and no image', async () => {
    const busyboxPath = path.join(dir, 'busybox');
    writeFileSync(busyboxPath, 'busybox');
    const built = await buildBootInitramfs({ kernel: fakeKernel(path.join(dir, 'kernel')), busyboxPath, cacheDir: path.join(dir, 'cache'), diskFsType: 'squashfs' });
    const records = readNewc(readFileSync(built.path));
    assert.deepEqual(records.map((record) => record.name).filter((name) => !name.startsWith('.crbench/modules/')),
      ['.crbench', '.crbench/boot.conf', '.crbench/busybox', '.crbench/modules', 'dev', 'dev/console', 'init', 'proc', 'sys']);
    const conf = records.find((record) => record.name === '.crbench/boot.conf')?.data.toString() ?? '';
    assert.match(conf, /^CRBENCH_MODULES='virtio_ring virtio virtio_mmio virtio_console virtio_blk squashfs overlay'$/m);
    assert.match(conf, /^CRBENCH_ROOT='disk'$/m);
    assert.match(conf, /^CRBENCH_DISK_FS='squashfs'$/m);
  });
});

describe('copyRootInfeasibility()', () => {
  it('lets the tiny image (2 MiB) be a 256 MiB guest\'s initramfs', () => {
    assert.equal(copyRootInfeasibility(2_129_920, 256), null);
  });

  it('refuses the grader image (373 MB) in 256 MiB, pointing at the disk root', () => {
    const reason = copyRootInfeasibility(372_940_800, 256);
    assert.ok(reason !== null);
    assert.match(reason, /356 MiB root filesystem/);
    assert.match(reason, /disk root/);
  });
});
