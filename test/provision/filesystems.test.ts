import assert from 'node:assert/strict';
import { FILESYSTEMS } from '../../provision/filesystems/index.ts';

describe('FILESYSTEMS', () => {
  it('registers ext4, xfs, btrfs and zfs', () => {
    assert.deepEqual(Object.keys(FILESYSTEMS).sort(), ['btrfs', 'ext4', 'xfs', 'zfs']);
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
});
