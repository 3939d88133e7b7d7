import assert from 'node:assert/strict';
import { parseMounts } from '../../provision/mounts.ts';

describe('parseMounts()', () => {
  it('reads source, mountpoint, type and options of each line', () => {
    const [entry] = parseMounts('/dev/loop3 /var/lib/crbench/mnt/a xfs rw,relatime,inode64 0 0\n');
    assert.deepEqual(entry, { source: '/dev/loop3', mountpoint: '/var/lib/crbench/mnt/a', type: 'xfs', options: ['rw', 'relatime', 'inode64'] });
  });

  it('unescapes the octal escapes /proc/mounts uses for spaces', () => {
    const [entry] = parseMounts('/dev/loop0 /var/lib/my\\040work/mnt ext4 rw 0 0');
    assert.equal(entry?.mountpoint, '/var/lib/my work/mnt');
  });
});
