import assert from 'node:assert/strict';
import { cgroupModeOf, findBinary, probeHost } from '../../pipeline/host/probe-host.ts';

describe('cgroupModeOf()', () => {
  it('sees v2 when cgroup2 is mounted at /sys/fs/cgroup', () => {
    assert.equal(cgroupModeOf('cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n'), 'v2');
  });

  it('sees hybrid when v1 controllers sit beside a cgroup2 mount', () => {
    const mounts = 'tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n';
    assert.equal(cgroupModeOf(mounts), 'hybrid');
  });

  it('sees v1 with controllers only, and none without cgroups', () => {
    assert.equal(cgroupModeOf('cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n'), 'v1');
    assert.equal(cgroupModeOf('proc /proc proc rw 0 0\n'), 'none');
  });
});

describe('probeHost()', () => {
  it('finds binaries on PATH and reports missing ones as null', () => {
    assert.equal(findBinary('sh', '/bin:/usr/bin')?.endsWith('/sh'), true);
    const facts = probeHost(['sh', 'no-such-binary-crbench']);
    assert.equal(facts.binaries['no-such-binary-crbench'], null);
    assert.ok(facts.cores >= 1 && facts.memoryBytes > 0);
    assert.ok(facts.kernelFilesystems.includes('proc'));
  });
});
