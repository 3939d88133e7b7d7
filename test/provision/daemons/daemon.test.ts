import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { daemonRssBytes, isRunning, listDaemons, startDaemon, stopDaemon, type DaemonRecord } from '../../../provision/daemons/daemon.ts';

describe('daemon records', function () {
  this.timeout(30_000);
  let workDir: string;
  beforeEach(() => { workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-daemon-')); });
  afterEach(async () => {
    for (const record of listDaemons(workDir)) await stopDaemon(workDir, record, 1_000);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('records a started daemon and stops it with its process group, idempotently', async () => {
    const record = startDaemon(workDir, { name: 'sleeper', groupId: 'g', argv: ['sleep', '60'] });
    assert.equal(isRunning(record.pid), true);
    assert.deepEqual(listDaemons(workDir).map((daemon) => daemon.pid), [record.pid]);
    await stopDaemon(workDir, record, 2_000);
    assert.equal(isRunning(record.pid), false);
    assert.deepEqual(listDaemons(workDir), []);
    await stopDaemon(workDir, record, 2_000);
  });

  it('sums the resident memory of a group\'s daemons and their children, and gives null without daemons', async () => {
    assert.equal(daemonRssBytes(workDir, 'g'), null);
    const record = startDaemon(workDir, { name: 'parent', groupId: 'g', argv: ['sh', '-c', 'sleep 60 & sleep 60 & wait'] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const rss = daemonRssBytes(workDir, 'g');
    assert.ok(rss !== null && rss > 0);
    assert.equal(daemonRssBytes(workDir, 'other-group'), null);
    await stopDaemon(workDir, record, 2_000);
  });

  it('kills a daemon that ignores SIGTERM once the grace period is over', async () => {
    const record = startDaemon(workDir, { name: 'stubborn', groupId: 'g', argv: ['sh', '-c', 'trap "" TERM; sleep 60 & wait'] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await stopDaemon(workDir, record, 300);
    assert.equal(isRunning(record.pid), false);
  });

  it('with recordFirst, has the record on disk before the spawn: a spawn that throws leaves it (pid 0) for teardown', () => {
    const argv = ['sh', '-c', 'a\0b'];
    assert.throws(() => startDaemon(workDir, { name: 'plain', groupId: 'g', argv }));
    assert.deepEqual(listDaemons(workDir), []);
    assert.throws(() => startDaemon(workDir, { name: 'first', groupId: 'g', argv, shutdownCommands: [['true']], recordFirst: true }));
    assert.deepEqual(listDaemons(workDir).map((record) => [record.name, record.pid, record.shutdownCommands]), [['first', 0, [['true']]]]);
  });

  it('leaves alone a recorded pid that now belongs to another program', async () => {
    const stale: DaemonRecord = { name: 'dockerd', groupId: 'g', pid: process.pid, argv: ['/usr/sbin/dockerd'], logPath: '/dev/null', shutdownCommands: [] };
    await stopDaemon(workDir, stale, 100);
    assert.equal(isRunning(process.pid), true);
  });
});
