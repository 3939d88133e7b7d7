import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listRuntimeStates } from '../../../provision/runtime-state.ts';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import { RUNTIMES, type Container } from '../../../pipeline/run/runtimes/index.ts';
import { RUNSC_GLOBAL_FLAGS, RUNSC_TMP_WORKAROUND, runsc, runscTeardownCommands, withTmpMarker } from '../../../pipeline/run/runtimes/runsc.ts';
import type { HostFacts } from '../../../pipeline/types.ts';

const hybridHost = { cgroupMode: 'hybrid' } as HostFacts;

describe('runsc adapter', () => {
  let workDir: string;
  let container: Container;
  beforeEach(() => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-runsc-'));
    container = { id: 'tiny-noop-c1-b0-r0', image: 'tiny', dir: path.join(workDir, 'mnt/containers/c'), workloadArgv: ['/bin/true'], initPid: 4242 };
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('is registered as runsc, its version asked from the binary', () => {
    assert.equal(RUNTIMES['runsc'], runsc);
    assert.deepEqual(runsc.versionArgv, ['runsc', '--version']);
  });

  it('runs every command with no network and the ptrace platform, and without --ignore-cgroups (the limits apply)', async () => {
    assert.deepEqual(RUNSC_GLOBAL_FLAGS, ['--network=none', '--platform=ptrace']);
    const mountpoint = path.join(workDir, 'mnt');
    const group = await runsc.openGroup({ groupId: 'runsc.copy.ext4', workDir, mountpoint, poolName: 'crbench-runsc.copy.ext4', host: hybridHost, storageDriver: 'copy', limits: DEFAULT_LIMITS, scratchDir: workDir });
    const rt = ['runsc', '--network=none', '--platform=ptrace', '--root', path.join(mountpoint, 'state', 'runsc')];
    assert.deepEqual(group.create(container).at(-1), { kind: 'run', argv: [...rt, 'create', '--bundle', container.dir, container.id] });
    assert.equal(group.create(container)[0]?.kind, 'run');
    assert.match(group.memoryCgroup?.(container) ?? '', new RegExp(`/runsc\\.copy\\.ext4/${container.id}$`), 'runsc honours the bundle\'s cgroupsPath like runc');
    assert.deepEqual(group.launch(container), [{ kind: 'run', argv: [...rt, 'start', container.id] }]);
    assert.deepEqual(group.execute(container, ['/bin/true']), [{ kind: 'run', argv: [...rt, 'exec', container.id, '/bin/true'] }]);
    assert.deepEqual(group.stop(container), [
      { kind: 'run', argv: [...rt, 'kill', container.id, 'KILL'] },
      { kind: 'await-exit', pid: 4242, what: `the init of ${container.id}` },
    ]);
    assert.deepEqual(group.clean(container)[0], { kind: 'run', argv: [...rt, 'delete', container.id] });
    assert.ok(!rt.includes('--ignore-cgroups'));
    await group.close();
  });

  it('records teardown commands that list containers the runsc way (-quiet, not -q)', async () => {
    const mountpoint = path.join(workDir, 'mnt');
    const group = await runsc.openGroup({ groupId: 'g', workDir, mountpoint, poolName: 'crbench-g', host: hybridHost, storageDriver: 'copy', limits: DEFAULT_LIMITS, scratchDir: workDir });
    const stateRoot = path.join(mountpoint, 'state', 'runsc');
    const [state] = listRuntimeStates(workDir);
    assert.equal(state?.runtime, 'runsc');
    assert.deepEqual(state?.teardownCommands, [[
      'sh', '-c', 'for id in $("$@" list -quiet); do "$@" delete --force "$id"; done; exit 0',
      'sh', 'runsc', '--network=none', '--platform=ptrace', '--root', stateRoot,
    ]]);
    assert.deepEqual(state?.teardownCommands, runscTeardownCommands(['runsc', ...RUNSC_GLOBAL_FLAGS], stateRoot));
    await group.close();
    assert.deepEqual(listRuntimeStates(workDir), []);
  });

  it('keeps /tmp on the root filesystem: a marker file in the image\'s /tmp, added right after the unpack (before a snapshot)', async () => {
    const mountpoint = path.join(workDir, 'mnt');
    const group = await runsc.openGroup({ groupId: 'g', workDir, mountpoint, poolName: 'crbench-g', host: hybridHost, storageDriver: 'copy', limits: DEFAULT_LIMITS, scratchDir: workDir });
    const imageRootfs = path.join(mountpoint, 'images/tiny/rootfs');
    assert.deepEqual(group.importImage('tiny', '/cache/tiny.tar').slice(-2), [
      { kind: 'run', argv: ['tar', '-xf', '/cache/tiny.tar', '-C', imageRootfs] },
      { kind: 'run', argv: ['touch', path.join(imageRootfs, 'tmp', '.crbench-keeps-tmp-on-rootfs')] },
    ]);
    assert.ok(group.workarounds.includes(RUNSC_TMP_WORKAROUND));
    await group.close();
    const zfsLike = withTmpMarker([
      { kind: 'run', argv: ['zfs', 'create', '-p', '-o', 'mountpoint=/m/img', 'pool/img'] },
      { kind: 'run', argv: ['tar', '-xf', '/cache/tiny.tar', '-C', '/m/img'] },
      { kind: 'run', argv: ['zfs', 'snapshot', 'pool/img@base'] },
    ], '/cache/tiny.tar');
    assert.deepEqual(zfsLike.map((step) => (step.kind === 'run' ? step.argv[0] : step.kind)), ['zfs', 'tar', 'touch', 'zfs']);
    assert.throws(() => withTmpMarker([{ kind: 'run', argv: ['true'] }], '/cache/tiny.tar'), /no `tar … -C ROOTFS` step/);
  });

  it('describes each phase with its flags, for the report', () => {
    const phases = runsc.describePhases('copy');
    assert.equal(phases.launch, 'runsc --network=none --platform=ptrace --root STATE start ID');
    assert.match(phases.create, /^cp -a --reflink=never .*; runsc --network=none --platform=ptrace --root STATE create --bundle BUNDLE ID$/);
  });
});
