import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listRuntimeStates } from '../../provision/runtime-state.ts';
import { DEFAULT_LIMITS } from '../../pipeline/run/limits.ts';
import { RUNTIMES, type Container } from '../../pipeline/run/runtimes/index.ts';
import type { HostFacts } from '../../pipeline/types.ts';

const v2Host = { cgroupMode: 'v2' } as HostFacts;

describe('OCI runtime adapters', () => {
  let workDir: string;
  let container: Container;
  beforeEach(() => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-rt-'));
    container = { id: 'tiny-noop-c1-r0', image: 'tiny', dir: path.join(workDir, 'mnt/containers/c'), workloadArgv: ['/bin/true'], initPid: 4242 };
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('registers runc and crun', () => {
    assert.ok(RUNTIMES['runc'] && RUNTIMES['crun']);
  });

  for (const name of ['runc', 'crun']) {
    it(`${name}: builds each phase against a state root on the group's volume, with the storage driver's steps in create and clean`, async () => {
      const adapter = RUNTIMES[name];
      assert.ok(adapter);
      const mountpoint = path.join(workDir, 'mnt');
      const group = await adapter.openGroup({ groupId: 'g', workDir, mountpoint, host: v2Host, poolName: 'crbench-g', storageDriver: 'copy', limits: DEFAULT_LIMITS, scratchDir: workDir });
      const rt = [name, '--root', path.join(mountpoint, 'state', name)];
      const imageRootfs = path.join(mountpoint, 'images/tiny/rootfs');
      const rootfs = path.join(container.dir, 'rootfs');
      assert.deepEqual(group.create(container), [
        { kind: 'run', argv: ['cp', '-a', '--reflink=never', imageRootfs, rootfs] },
        { kind: 'run', argv: [...rt, 'create', '--bundle', container.dir, container.id] },
      ]);
      assert.deepEqual(group.launch(container), [{ kind: 'run', argv: [...rt, 'start', container.id] }]);
      assert.deepEqual(group.execute(container, ['/bin/true']), [{ kind: 'run', argv: [...rt, 'exec', container.id, '/bin/true'] }]);
      assert.deepEqual(group.stop(container), [
        { kind: 'run', argv: [...rt, 'kill', container.id, 'KILL'] },
        { kind: 'await-exit', pid: 4242, what: `the init of ${container.id}` },
      ]);
      assert.deepEqual(group.clean(container), [{ kind: 'run', argv: [...rt, 'delete', container.id] }, { kind: 'run', argv: ['rm', '-rf', rootfs] }]);
      assert.deepEqual(group.importImage('tiny', '/cache/tiny.tar').at(-1), { kind: 'run', argv: ['tar', '-xf', '/cache/tiny.tar', '-C', imageRootfs] });
      assert.deepEqual(group.workarounds, []);
      assert.deepEqual(listRuntimeStates(workDir).map((state) => state.runtime), [name]);
      assert.ok(existsSync(path.join(mountpoint, 'state', name)));
      await group.close();
      assert.deepEqual(listRuntimeStates(workDir), []);
    });
  }

  it('writes a bundle config with the limits before the create phase, outside the clock', async () => {
    const group = await RUNTIMES['runc']!.openGroup({ groupId: 'g', workDir, mountpoint: path.join(workDir, 'mnt'), host: v2Host, poolName: 'crbench-g', storageDriver: 'copy', limits: DEFAULT_LIMITS, scratchDir: workDir });
    await group.prepare(container);
    const config = JSON.parse(readFileSync(path.join(container.dir, 'config.json'), 'utf8')) as { linux: { resources: { pids: { limit: number } } } };
    assert.equal(config.linux.resources.pids.limit, DEFAULT_LIMITS.pids);
    await group.close();
  });

  it('describes each phase with the command behind it, storage included, for the report', () => {
    const phases = RUNTIMES['runc']?.describePhases('copy');
    assert.equal(phases?.launch, 'runc --root STATE start ID');
    assert.match(phases?.create ?? '', /^cp -a --reflink=never .*; runc --root STATE create/);
    assert.match(phases?.stop ?? '', /kill ID KILL, then wait/);
  });
});
