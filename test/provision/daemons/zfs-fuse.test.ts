import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cleanUpZfsFuse, crbenchMarkerOf, destroyPoolArgv, retryWhileBusy, zfsFuseArgv, zfsFuseCleanUpCommand, zfsFuseGroupOf, zfsFuseMarkerOf,
  ZFS_FUSE_HOST_PATHS, ZFS_FUSE_TUNING, type ZfsFuseCleanUpSpec,
} from '../../../provision/daemons/zfs-fuse.ts';

const SOURCE = fileURLToPath(new URL('../../../provision/daemons/zfs-fuse.ts', import.meta.url));

describe('the zfs-fuse daemon of a volume', () => {
  it('runs in the foreground (crbench keeps its pid), mounts no kstats on /, and names the work dir on its command line', () => {
    const marker = zfsFuseMarkerOf('/var/lib/crbench', 'runc.zfs-clone.zfs-fuse');
    assert.equal(marker, '/var/lib/crbench/daemons/volume-runc.zfs-clone.zfs-fuse.zfs-fuse.pid');
    assert.deepEqual(zfsFuseArgv('/usr/sbin/zfs-fuse', marker),
      ['/usr/sbin/zfs-fuse', '--no-daemon', '--no-kstat-mount', '--pidfile', marker, ...ZFS_FUSE_TUNING]);
  });

  it('pins each setting of this host\'s /etc/zfs/zfsrc on the command line, so an edited zfsrc is noticed here', function () {
    if (!existsSync('/etc/zfs/zfsrc')) this.skip();
    const settings = readFileSync('/etc/zfs/zfsrc', 'utf8').split('\n').map((line) => line.replace(/#.*/, '').trim()).filter(Boolean)
      .map((line) => line.split('=').map((part) => part.trim()));
    assert.ok(settings.length > 0);
    for (const [key = '', value] of settings) {
      const at = ZFS_FUSE_TUNING.indexOf(`--${key}`);
      assert.ok(at >= 0, `zfsrc sets ${key}, which crbench does not pin`);
      if (value !== undefined) assert.equal(ZFS_FUSE_TUNING[at + 1], value, `zfsrc sets ${key} = ${value}`);
    }
  });

  it('is recorded under a ledger group of the volume\'s, apart from and after every runtime daemon of the cell group', () => {
    assert.equal(zfsFuseGroupOf('lxd.dir.zfs-fuse'), 'volume-lxd.dir.zfs-fuse');
    for (const runtime of ['docker', 'docker-cli', 'lxd', 'podman']) assert.ok(`${runtime}.x`.localeCompare(zfsFuseGroupOf(`${runtime}.x`)) < 0);
  });

  it('lists the host paths it may create deepest first, never the package\'s /var/lib/zfs', () => {
    assert.ok(ZFS_FUSE_HOST_PATHS.indexOf('/var/run/zfs/zfs_socket') < ZFS_FUSE_HOST_PATHS.indexOf('/var/run/zfs'));
    assert.ok(ZFS_FUSE_HOST_PATHS.indexOf('/var/lock/zfs/zfs_lock') < ZFS_FUSE_HOST_PATHS.indexOf('/var/lock/zfs'));
    assert.ok(!ZFS_FUSE_HOST_PATHS.includes('/var/lib/zfs'));
  });

  it('stops through a clean-up command that runs this file in a fresh process, with the spec', () => {
    const spec: ZfsFuseCleanUpSpec = { workDir: '/w', marker: '/w/daemons/m.pid', poolName: 'crbench-g', mountpoint: '/w/mnt/g', createdHostPaths: [], graceMs: 8_000 };
    const argv = zfsFuseCleanUpCommand(spec);
    assert.equal(argv[0], process.execPath);
    assert.deepEqual(argv.slice(3), [SOURCE, 'clean-up', JSON.stringify(spec)]);
  });

  it('tells a daemon crbench started, for any work directory, from the host\'s own', () => {
    const marker = zfsFuseMarkerOf('/var/tmp/other-run', 'runc.copy.zfs-fuse');
    assert.equal(crbenchMarkerOf(zfsFuseArgv('/usr/sbin/zfs-fuse', marker)), marker);
    assert.equal(crbenchMarkerOf(['/usr/sbin/zfs-fuse', '--no-daemon']), undefined);
    assert.equal(crbenchMarkerOf(['zfs-fuse', '--pidfile', '/var/run/zfs-fuse.pid']), undefined);
  });

  it('destroys the pool forcibly: the clones of crashed containers may still be mounted', () => {
    assert.deepEqual(destroyPoolArgv('crbench-g'), ['zpool', 'destroy', '-f', 'crbench-g']);
  });

  it('refuses to clean up a marker or mountpoint outside the work directory', async () => {
    const spec: ZfsFuseCleanUpSpec = { workDir: '/var/tmp/w', marker: '/etc/zfs/zfsrc', poolName: 'p', mountpoint: '/var/tmp/w/mnt/g', createdHostPaths: [], graceMs: 1 };
    await assert.rejects(cleanUpZfsFuse(spec), (error: Error & { code?: string }) => error.code === 'OUTSIDE_WORK_DIR');
    await assert.rejects(cleanUpZfsFuse({ ...spec, marker: '/var/tmp/w/daemons/m.pid', mountpoint: '/' }), (error: Error & { code?: string }) => error.code === 'OUTSIDE_WORK_DIR');
  });
});

describe('retryWhileBusy()', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-busy-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A command that says "pool is busy" the first `busy` times, then exits `exit`. */
  function fakeCommand(busy: number, exit = 0, said = 'done'): string[] {
    const file = path.join(dir, 'fake');
    writeFileSync(file, `#!/bin/sh\necho x >> ${dir}/calls\n[ "$(wc -l < ${dir}/calls)" -le ${busy} ] && { echo "cannot destroy 'p': pool is busy" >&2; exit 1; }\necho ${said} >&2\nexit ${exit}\n`);
    chmodSync(file, 0o755);
    return [file, 'destroy', 'p'];
  }
  const calls = () => readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n').length;

  it('tries again while the command says it is busy, and reports how many tries it took', async () => {
    assert.deepEqual(await retryWhileBusy(fakeCommand(2), 5_000), { ok: true, said: 'done', tries: 3 });
  });

  it('gives up at once on another error, with what it said', async () => {
    assert.deepEqual(await retryWhileBusy(fakeCommand(0, 1, 'no such pool'), 5_000), { ok: false, said: 'no such pool', tries: 1 });
  });

  it('gives up once the time is over, still busy', async () => {
    const result = await retryWhileBusy(fakeCommand(10_000), 100);
    assert.equal(result.ok, false);
    assert.match(result.said, /pool is busy/);
    assert.equal(result.tries, calls());
  });
});
