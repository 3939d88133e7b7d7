import assert from 'node:assert/strict';
import { FILESYSTEMS } from '../../provision/filesystems/index.ts';

describe('FILESYSTEMS', () => {
  it('registers ext4, xfs, btrfs, zfs and zfs-fuse', () => {
    assert.deepEqual(Object.keys(FILESYSTEMS).sort(), ['btrfs', 'ext4', 'xfs', 'zfs', 'zfs-fuse']);
  });

  it('formats ext4 without lazy initialisation, so no background writes disturb the first samples', () => {
    assert.deepEqual(FILESYSTEMS['ext4']?.formatArgv('/dev/loop7', 'p', '/m'),
      ['mkfs.ext4', '-q', '-F', '-L', 'crbench', '-E', 'lazy_itable_init=0,lazy_journal_init=0', '/dev/loop7']);
  });

  it('formats xfs with ftype=1 (overlay) and reflink=1 (block copy-on-write)', () => {
    const argv = FILESYSTEMS['xfs']?.formatArgv('/dev/loop7', 'p', '/m') ?? [];
    assert.ok(argv.includes('ftype=1') && argv.includes('reflink=1'));
    assert.equal(argv.at(-1), '/dev/loop7');
  });

  it('builds a zfs pool on the loop device with its dataset mounted at the mountpoint', () => {
    assert.deepEqual(FILESYSTEMS['zfs']?.formatArgv('/dev/loop7', 'crbench-g', '/w/mnt/g'),
      ['zpool', 'create', '-f', '-o', 'ashift=12', '-O', 'atime=off', '-O', 'mountpoint=/w/mnt/g', 'crbench-g', '/dev/loop7']);
  });

  it('builds the zfs-fuse pool as the zfs one, kept out of the pool cache, mounted at the mountpoint', () => {
    assert.deepEqual(FILESYSTEMS['zfs-fuse']?.formatArgv('/dev/loop7', 'crbench-g', '/w/mnt/g'),
      ['zpool', 'create', '-f', '-o', 'cachefile=none', '-o', 'ashift=12', '-O', 'atime=off', '-m', '/w/mnt/g', 'crbench-g', '/dev/loop7']);
  });

  it('refuses to make a zfs-fuse pool on a device crbench did not attach, before starting any daemon', async () => {
    const volume = { workDir: '/var/tmp/crbench-none', name: 'g', poolName: 'crbench-g', mountpoint: '/var/tmp/crbench-none/mnt/g' };
    await assert.rejects(FILESYSTEMS['zfs-fuse']!.create('/dev/sda', 'crbench-g', volume.mountpoint, volume),
      (error: Error & { code?: string }) => error.code === 'NOT_OWN_DEVICE' && /\/dev\/sda/.test(error.message));
    await assert.rejects(FILESYSTEMS['zfs-fuse']!.create('/dev/loop7', 'crbench-g', '/w/mnt/g'), /needs the volume/);
  });
});
