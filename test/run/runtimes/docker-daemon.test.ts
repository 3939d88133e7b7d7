import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isRunning } from '../../../provision/daemons/daemon.ts';
import { cleanUpCommand, type CleanUpSpec } from '../../../provision/daemons/clean-up.ts';
import { dockerdCleanUpSpec, dockerdPaths, DOCKERD_HOST_PATHS, groupKey } from '../../../provision/daemons/dockerd.ts';
import { absentHostPaths, cleanUpLeftovers, processesNaming, removeCreatedHostPaths } from '../../../provision/daemons/leftovers.ts';
import { dockerImageRef } from '../../../pipeline/run/runtimes/docker-daemon.ts';

/** A process that idles for a minute; its extra arguments show in its command line. */
const SLEEP = 'setTimeout(() => {}, 60_000)';

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('dockerd clean-up (no root needed)', function () {
  this.timeout(30_000);
  let workDir: string;
  beforeEach(() => { workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-dkd-')); });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('names images and keys groups the same way every time', () => {
    assert.equal(dockerImageRef('tiny'), 'crbench/tiny:latest');
    assert.equal(groupKey('docker.vfs.ext4'), groupKey('docker.vfs.ext4'));
    assert.notEqual(groupKey('docker.vfs.ext4'), groupKey('docker-cli.vfs.ext4'));
  });

  it('records for teardown a command that runs the clean-up in a fresh process, from any directory', () => {
    const spec = dockerdCleanUpSpec(workDir, dockerdPaths(workDir, 'g', '/m'), ['/run/docker']);
    const argv = cleanUpCommand(spec);
    assert.equal(argv[0], process.execPath);
    assert.deepEqual(argv.slice(1, 2), ['--import']);
    assert.match(argv[2] ?? '', /^file:\/\/.*tsx/);
    assert.match(argv[3] ?? '', /provision\/daemons\/clean-up\.ts$/);
    assert.deepEqual(JSON.parse(argv[5] ?? '{}'), spec);
    assert.equal(spec.kind, 'dockerd');
    assert.deepEqual(spec.mountRoots, ['/m/docker', spec.stateDir]);
  });

  it('finds processes by a path below a root among their arguments, sockets and --flag=path included', async () => {
    const root = path.join(workDir, 'runtime-state', 'dk-1');
    const plain = spawn(process.execPath, ['-e', SLEEP, '--', path.join(root, 'x')], { stdio: 'ignore' });
    const socket = spawn(process.execPath, ['-e', SLEEP, '--', `unix://${root}/d.sock`], { stdio: 'ignore' });
    const flagged = spawn(process.execPath, ['-e', SLEEP, '--', `--config=${root}/c.toml`], { stdio: 'ignore' });
    const other = spawn(process.execPath, ['-e', SLEEP, '--', `${root}-other`], { stdio: 'ignore' });
    try {
      await until(() => processesNaming([root]).length >= 3);
      const found = processesNaming([root]);
      for (const child of [plain, socket, flagged]) assert.ok(found.includes(child.pid ?? -1), `${child.spawnargs.join(' ')} not found`);
      assert.ok(!found.includes(other.pid ?? -1), 'a sibling path is not below the root');
      assert.ok(!found.includes(process.pid));
    } finally {
      for (const child of [plain, socket, flagged, other]) child.kill('SIGKILL');
    }
  });

  it('removes only host paths it created, files first and directories once empty', () => {
    const dir = path.join(workDir, 'host', 'run', 'docker');
    mkdirSync(path.join(dir, 'plugins'), { recursive: true });
    const lock = path.join(workDir, 'host', 'libpod_lock');
    writeFileSync(lock, '');
    const busy = path.join(workDir, 'host', 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'someone-else'), '');
    const created = absentHostPaths([path.join(workDir, 'host', 'absent'), lock]);
    assert.deepEqual(created, [path.join(workDir, 'host', 'absent')]);
    const problems: string[] = [];
    removeCreatedHostPaths([lock, path.join(dir, 'plugins'), dir, busy, path.join(workDir, 'host', 'absent')], problems);
    assert.deepEqual(problems, []);
    assert.ok(!existsSync(lock) && !existsSync(dir));
    assert.ok(existsSync(path.join(busy, 'someone-else')), 'a directory in use stays');
    assert.deepEqual(DOCKERD_HOST_PATHS.slice(0, 2), ['/run/docker/plugins', '/run/docker']);
  });

  it('kills what names the state dir and removes it, through the recorded teardown command', async () => {
    const stateDir = path.join(workDir, 'runtime-state', 'pm-1');
    mkdirSync(path.join(stateDir, 'run'), { recursive: true });
    const child = spawn(process.execPath, ['-e', SLEEP, '--', path.join(stateDir, 'run', 'conmon.pid')], { detached: true, stdio: 'ignore' });
    child.unref();
    await until(() => isRunning(child.pid ?? -1));
    const spec: CleanUpSpec = {
      kind: 'leftovers', workDir, stateDir, cgroupParent: `crbench-test-${groupKey(workDir)}`, processRoots: [stateDir],
      mountRoots: [stateDir], createdHostPaths: [],
    };
    const [file, ...args] = cleanUpCommand(spec);
    const result = spawnSync(file ?? '', args, { cwd: os.tmpdir(), encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, result.stderr);
    await until(() => !isRunning(child.pid ?? -1));
    assert.ok(!existsSync(stateDir));
    assert.deepEqual(await cleanUpLeftovers(spec), [], 'a second clean-up finds nothing to do');
  });

  it('refuses to clean up a state dir outside the work directory', async () => {
    const spec = { workDir, stateDir: '/etc', cgroupParent: 'x', processRoots: [], mountRoots: [], createdHostPaths: [] };
    await assert.rejects(cleanUpLeftovers(spec), /not below the work directory/);
  });
});
