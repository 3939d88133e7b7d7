import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listRuntimeStates } from '../../provision/runtime-state.ts';
import { RUNTIMES, type Container } from '../../pipeline/run/runtimes/index.ts';
import type { HostFacts } from '../../pipeline/types.ts';

const v2Host = { cgroupMode: 'v2' } as HostFacts;
const container: Container = { id: 'tiny-noop-c1-r0', bundleDir: '/w/mnt/g/containers/c', rootfsDir: '/w/mnt/g/containers/c/rootfs', initPid: 4242 };

describe('OCI runtime adapters', () => {
  let workDir: string;
  beforeEach(() => { workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-rt-')); });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('registers runc and crun', () => {
    assert.deepEqual(Object.keys(RUNTIMES).sort(), ['crun', 'runc']);
  });

  for (const name of ['runc', 'crun']) {
    it(`${name}: builds one command per phase against a state root on the group's volume, and records that state`, async () => {
      const adapter = RUNTIMES[name];
      assert.ok(adapter);
      const mountpoint = path.join(workDir, 'mnt');
      const group = await adapter.openGroup({ groupId: 'g', workDir, mountpoint, host: v2Host });
      const rt = [name, '--root', path.join(mountpoint, 'state', name)];
      assert.deepEqual(group.create(container), [{ kind: 'run', argv: [...rt, 'create', '--bundle', container.bundleDir, container.id] }]);
      assert.deepEqual(group.launch(container), [{ kind: 'run', argv: [...rt, 'start', container.id] }]);
      assert.deepEqual(group.execute(container, ['/bin/true']), [{ kind: 'run', argv: [...rt, 'exec', container.id, '/bin/true'] }]);
      assert.deepEqual(group.stop(container), [
        { kind: 'run', argv: [...rt, 'kill', container.id, 'KILL'] },
        { kind: 'await-exit', pid: 4242, what: `the init of ${container.id}` },
      ]);
      assert.deepEqual(group.clean(container), [{ kind: 'run', argv: [...rt, 'delete', container.id] }]);
      assert.deepEqual(group.workarounds, []);
      assert.deepEqual(listRuntimeStates(workDir).map((state) => state.runtime), [name]);
      assert.ok(existsSync(path.join(mountpoint, 'state', name)));
      await group.close();
      assert.deepEqual(listRuntimeStates(workDir), []);
    });
  }

  it('describes each phase with the command behind it, for the report', () => {
    const phases = RUNTIMES['runc']?.describePhases();
    assert.equal(phases?.launch, 'runc --root STATE start ID');
    assert.match(phases?.stop ?? '', /kill ID KILL, then wait/);
  });
});
