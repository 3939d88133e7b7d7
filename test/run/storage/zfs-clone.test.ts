import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DESTROY_WHILE_BUSY, zfsClone } from '../../../pipeline/run/storage/zfs-clone.ts';

/**
 * A fake `zfs` on PATH: logs each call, answers "dataset is busy" the first `busyTimes` calls
 * (as zfs-fuse does), then exits with `finalExit` saying `finalSaid`.
 */
function fakeZfs(dir: string, busyTimes: number, finalExit = 0, finalSaid = ''): void {
  const script = [
    '#!/bin/sh',
    `echo "$*" >> ${path.join(dir, 'calls')}`,
    `n=$(wc -l < ${path.join(dir, 'calls')})`,
    `if [ "$n" -le ${busyTimes} ]; then echo "cannot destroy '$2': dataset is busy" >&2; exit 1; fi`,
    finalSaid === '' ? '' : `echo "${finalSaid}" >&2`,
    `exit ${finalExit}`,
  ].join('\n');
  writeFileSync(path.join(dir, 'zfs'), `${script}\n`);
  chmodSync(path.join(dir, 'zfs'), 0o755);
}

function runRemove(dir: string) {
  const [step] = zfsClone.remove({ mountpoint: '/m', poolName: 'crbench-g' }, '/m/containers/c1/rootfs');
  assert.equal(step?.kind, 'run');
  const [file = '', ...args] = step?.kind === 'run' ? step.argv : [];
  const result = spawnSync(file, args, { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` } });
  const calls = readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n');
  return { status: result.status, stderr: result.stderr.trim(), calls };
}

describe('zfs-clone', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-zfs-clone-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes a container by destroying its clone, named after the container\'s directory, in one labelled step', () => {
    const steps = zfsClone.remove({ mountpoint: '/m', poolName: 'crbench-g' }, '/m/containers/tiny-noop-c1-r0/rootfs');
    assert.deepEqual(steps.map((step) => [step.label, step.kind === 'run' ? step.argv : []]),
      [['rootfs: zfs destroy', ['sh', '-c', DESTROY_WHILE_BUSY, 'zfs-destroy', 'crbench-g/container-tiny-noop-c1-r0']]]);
  });

  it('destroys at the first try when zfs is not busy (kernel ZFS)', () => {
    fakeZfs(dir, 0);
    assert.deepEqual(runRemove(dir), { status: 0, stderr: '', calls: ['destroy crbench-g/container-c1'] });
  });

  it('tries again while zfs-fuse says "dataset is busy", then succeeds, quietly', () => {
    fakeZfs(dir, 3);
    const { status, stderr, calls } = runRemove(dir);
    assert.equal(status, 0);
    assert.equal(stderr, '');
    assert.deepEqual(calls, Array(4).fill('destroy crbench-g/container-c1'));
  });

  it('fails at once, with what zfs said, on any other error', () => {
    fakeZfs(dir, 0, 1, "cannot open 'crbench-g/container-c1': dataset does not exist");
    assert.deepEqual(runRemove(dir), { status: 1, stderr: "cannot open 'crbench-g/container-c1': dataset does not exist", calls: ['destroy crbench-g/container-c1'] });
  });

  it('gives up after 200 busy answers, saying so', function () {
    this.timeout(20_000);
    fakeZfs(dir, 1000);
    const { status, stderr, calls } = runRemove(dir);
    assert.equal(status, 1);
    assert.equal(calls.length, 200);
    assert.match(stderr, /dataset is busy \(still, after 200 tries\)$/);
  });
});
