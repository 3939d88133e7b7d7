import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertOwnLoopDevice, attachLoop, createImageFile, detachLoop } from '../../provision/loop-device.ts';

describe('assertOwnLoopDevice()', () => {
  let workDir: string;
  before(() => { workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-loop-')); });
  after(() => rmSync(workDir, { recursive: true, force: true }));

  it('refuses a disk that is not a loop device', () => {
    for (const device of ['/dev/sda', '/dev/vda', '/dev/nvme0n1', '/dev/loop0p1', '/tmp/x']) {
      assert.throws(() => assertOwnLoopDevice(workDir, device), { code: 'NOT_OWN_DEVICE' }, device);
    }
  });

  it('refuses a loop device that is not attached to anything', () => {
    assert.throws(() => assertOwnLoopDevice(workDir, '/dev/loop99999'), { code: 'NOT_OWN_DEVICE' });
  });

  it('refuses to create an image file outside the work directory', async () => {
    await assert.rejects(createImageFile(workDir, '/tmp/outside.img', 10), { code: 'OUTSIDE_WORK_DIR' });
  });
});

describe('attachLoop() and detachLoop() (root)', () => {
  let workDir: string;
  let otherDir: string;
  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-loop-'));
    otherDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-other-'));
  });
  after(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    if (otherDir) rmSync(otherDir, { recursive: true, force: true });
  });

  it('accepts its own loop device and refuses one whose image belongs to another directory', async () => {
    const image = path.join(workDir, 'a.img');
    await createImageFile(workDir, image, 16);
    const loop = await attachLoop(workDir, image);
    try {
      assert.doesNotThrow(() => assertOwnLoopDevice(workDir, loop.device));
      assert.throws(() => assertOwnLoopDevice(otherDir, loop.device), { code: 'NOT_OWN_DEVICE' });
      await assert.rejects(detachLoop(otherDir, loop.device), { code: 'NOT_OWN_DEVICE' });
    } finally {
      await detachLoop(workDir, loop.device);
    }
    assert.throws(() => assertOwnLoopDevice(workDir, loop.device), { code: 'NOT_OWN_DEVICE' });
  });
});
