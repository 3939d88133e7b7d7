import assert from 'node:assert/strict';
import { STORAGE_DRIVERS } from '../../pipeline/run/storage/index.ts';
import { WORKLOADS } from '../../pipeline/run/workloads/index.ts';
import { buildOciConfig } from '../../pipeline/run/oci-config.ts';
import { DEFAULT_LIMITS } from '../../pipeline/run/limits.ts';
import type { Step } from '../../pipeline/run/executor/steps.ts';

const volume = { mountpoint: '/m', poolName: 'crbench-g' };
const argvOf = (steps: Step[]) => steps.map((step) => (step.kind === 'run' ? step.argv.join(' ') : step.kind));

describe('the pipeline storage drivers', () => {
  it('registers copy, overlay, the three block copy-on-write strategies and bind', () => {
    assert.deepEqual(Object.keys(STORAGE_DRIVERS).sort(), ['bind', 'btrfs-snapshot', 'copy', 'overlay', 'xfs-reflink', 'zfs-clone']);
  });

  it('copy: deep-copies the image for each container, never reflinking, and removes the copy', () => {
    const copy = STORAGE_DRIVERS['copy']!;
    assert.deepEqual(argvOf(copy.prepare(volume, '/m/images/tiny/rootfs', '/m/containers/c/rootfs')), ['cp -a --reflink=never /m/images/tiny/rootfs /m/containers/c/rootfs']);
    assert.deepEqual(argvOf(copy.importImage(volume, '/cache/tiny.tar', '/m/images/tiny/rootfs')), ['mkdir -p /m/images/tiny/rootfs', 'tar -xf /cache/tiny.tar -C /m/images/tiny/rootfs']);
    assert.deepEqual(argvOf(copy.remove(volume, '/m/containers/c/rootfs')), ['rm -rf /m/containers/c/rootfs']);
  });

  it('overlay: mounts the image as the lower layer under an upper directory of the container, and unmounts before removing', () => {
    const overlay = STORAGE_DRIVERS['overlay']!;
    assert.deepEqual(argvOf(overlay.prepare(volume, '/m/images/tiny/rootfs', '/m/c/rootfs')), [
      'mkdir -p /m/c/rootfs.upper /m/c/rootfs.work /m/c/rootfs',
      'mount -t overlay overlay -o lowerdir=/m/images/tiny/rootfs,upperdir=/m/c/rootfs.upper,workdir=/m/c/rootfs.work /m/c/rootfs',
    ]);
    assert.deepEqual(argvOf(overlay.remove(volume, '/m/c/rootfs')), ['umount /m/c/rootfs', 'rm -rf /m/c/rootfs /m/c/rootfs.upper /m/c/rootfs.work']);
  });

  it('btrfs-snapshot: imports the image into a subvolume and snapshots it per container', () => {
    const driver = STORAGE_DRIVERS['btrfs-snapshot']!;
    assert.deepEqual(argvOf(driver.importImage(volume, '/cache/t.tar', '/m/images/tiny/rootfs')).slice(1), ['btrfs -q subvolume create /m/images/tiny/rootfs', 'tar -xf /cache/t.tar -C /m/images/tiny/rootfs']);
    assert.deepEqual(argvOf(driver.prepare(volume, '/m/images/tiny/rootfs', '/m/c/rootfs')), ['btrfs -q subvolume snapshot /m/images/tiny/rootfs /m/c/rootfs']);
    assert.deepEqual(argvOf(driver.remove(volume, '/m/c/rootfs')), ['btrfs -q subvolume delete /m/c/rootfs']);
  });

  it('xfs-reflink: reflinks every file, refusing to fall back to a real copy', () => {
    assert.deepEqual(argvOf(STORAGE_DRIVERS['xfs-reflink']!.prepare(volume, '/m/i', '/m/c/rootfs')), ['cp -a --reflink=always /m/i /m/c/rootfs']);
  });

  it('zfs-clone: snapshots an image dataset in the group\'s pool and clones it per container (commands only: no zfs here)', () => {
    const driver = STORAGE_DRIVERS['zfs-clone']!;
    assert.deepEqual(argvOf(driver.importImage(volume, '/cache/t.tar', '/m/images/tiny/rootfs')), [
      'zfs create -p -o mountpoint=/m/images/tiny/rootfs crbench-g/image-tiny',
      'tar -xf /cache/t.tar -C /m/images/tiny/rootfs',
      'zfs snapshot crbench-g/image-tiny@base',
    ]);
    assert.deepEqual(argvOf(driver.prepare(volume, '/m/images/tiny/rootfs', '/m/containers/tiny-noop-c1-r0/rootfs')),
      ['zfs clone -o mountpoint=/m/containers/tiny-noop-c1-r0/rootfs crbench-g/image-tiny@base crbench-g/container-tiny-noop-c1-r0']);
    assert.deepEqual(driver.remove(volume, '/m/containers/tiny-noop-c1-r0/rootfs').map((step) => (step.kind === 'run' ? step.argv.at(-1) : step.kind)), ['crbench-g/container-tiny-noop-c1-r0']);
  });
});

describe('the noop workload', () => {
  const noop = WORKLOADS['noop'];
  const record = { argv: [], durationMs: 1, signal: null, stderr: '' };

  it('counts a silent exit 0 and rejects anything else, saying what it got', () => {
    assert.equal(noop?.check({ ...record, exitCode: 0, stdout: '' }), null);
    assert.match(noop?.check({ ...record, exitCode: 1, stdout: '' }) ?? '', /got exit 1/);
  });
});

describe('buildOciConfig()', () => {
  it('applies the memory, pids and CPU limits and gives the container its own network namespace', () => {
    const config = buildOciConfig({ hostname: 'h', limits: DEFAULT_LIMITS }) as {
      linux: { resources: { memory: { limit: number }; pids: { limit: number } }; namespaces: { type: string }[] };
      process: { terminal: boolean };
    };
    assert.equal(config.linux.resources.memory.limit, DEFAULT_LIMITS.memoryBytes);
    assert.equal(config.linux.resources.pids.limit, DEFAULT_LIMITS.pids);
    assert.deepEqual((config.linux.resources as unknown as { cpu: unknown }).cpu, { quota: 100_000, period: 100_000 }, 'one CPU of time per 100 ms period');
    assert.ok(config.linux.namespaces.some((namespace) => namespace.type === 'network'));
    assert.equal(config.process.terminal, false);
  });
});
