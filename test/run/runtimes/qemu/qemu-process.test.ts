import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../../../../pipeline/errors.ts';
import { findQemuPids, isQemuAlive, parseVmRssBytes, readQemuPid, readQemuRssBytes } from '../../../../pipeline/run/runtimes/qemu/qemu-process.ts';

/** /proc/PID/status of a QEMU with a ready 256 MiB guest on the reference host, cut down. */
const STATUS = 'Name:\tqemu-system-x86\nState:\tS (sleeping)\nPid:\t4242\nVmPeak:\t 1653340 kB\nVmRSS:\t  240732 kB\nThreads:\t4\n';

describe('parseVmRssBytes()', () => {
  it('reads VmRSS in bytes', () => {
    assert.equal(parseVmRssBytes(STATUS), 240_732 * 1024);
  });

  it('is null for a status without VmRSS (a zombie\'s)', () => {
    assert.equal(parseVmRssBytes('Name:\tqemu-system-x86\nState:\tZ (zombie)\n'), null);
  });
});

describe('readQemuRssBytes(), isQemuAlive() and readQemuPid()', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync('/var/tmp/crbench-qemu-process-');
    mkdirSync(path.join(dir, '4242'));
    writeFileSync(path.join(dir, '4242/status'), STATUS);
    mkdirSync(path.join(dir, '4343'));
    writeFileSync(path.join(dir, '4343/status'), 'Name:\tqemu-system-x86\nState:\tZ (zombie)\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a live QEMU\'s RSS, and null for a pid that is gone', () => {
    assert.equal(readQemuRssBytes(4242, dir), 240_732 * 1024);
    assert.equal(readQemuRssBytes(999, dir), null);
  });

  it('counts a zombie as exited', () => {
    assert.deepEqual([isQemuAlive(4242, dir), isQemuAlive(4343, dir), isQemuAlive(999, dir)], [true, false, false]);
  });

  it('reads the pidfile, and says what is wrong with a missing or garbled one', () => {
    writeFileSync(path.join(dir, 'qemu.pid'), '4242\n');
    assert.equal(readQemuPid(path.join(dir, 'qemu.pid')), 4242);
    writeFileSync(path.join(dir, 'bad.pid'), 'starting\n');
    for (const file of ['missing.pid', 'bad.pid']) {
      assert.throws(() => readQemuPid(path.join(dir, file)), (error: unknown) => error instanceof CrbenchError && error.code === 'VM_NO_PIDFILE');
    }
  });
});

describe('findQemuPids()', () => {
  let dir: string;
  const fakeProcess = (pid: number, argv: string[], state = 'S (sleeping)') => {
    mkdirSync(path.join(dir, String(pid)));
    writeFileSync(path.join(dir, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
    writeFileSync(path.join(dir, String(pid), 'status'), `Name:\tx\nState:\t${state}\n`);
  };
  beforeEach(() => {
    dir = mkdtempSync('/var/tmp/crbench-qemu-process-');
    fakeProcess(10, ['qemu-system-x86_64', '-M', 'microvm', '-qmp', 'unix:/var/lib/crbench/vm/c1/qmp.sock,server=on,wait=off']);
    fakeProcess(11, ['/usr/bin/qemu-system-x86_64', '-pidfile', '/var/lib/crbench/vm/c2/qemu.pid']);
    fakeProcess(12, ['qemu-system-x86_64', '-pidfile', '/var/lib/crbench-other/vm/qemu.pid']);
    fakeProcess(13, ['tail', '-f', '/var/lib/crbench/vm/c1/console.log']);
    fakeProcess(14, ['qemu-system-x86_64', '-pidfile', '/var/lib/crbench/vm/c3/qemu.pid'], 'Z (zombie)');
    mkdirSync(path.join(dir, 'self'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the live QEMUs whose argv names a path below the work directory, and nothing else', () => {
    assert.deepEqual(findQemuPids('/var/lib/crbench', dir), [10, 11]);
    assert.deepEqual(findQemuPids('/var/lib/crbench/', dir), [10, 11]);
  });
});
