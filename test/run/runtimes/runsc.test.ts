import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listRuntimeStates } from '../../../provision/runtime-state.ts';
import { run } from '../../../pipeline/run/executor/steps.ts';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import { RUNTIMES, type RuntimeGroup } from '../../../pipeline/run/runtimes/index.ts';
import { RUNSC_GLOBAL_FLAGS, RUNSC_TMP_MARKER, RUNSC_TMP_WORKAROUND, runsc, runscTeardownCommands, withTmpMarker } from '../../../pipeline/run/runtimes/runsc.ts';
import type { HostFacts } from '../../../pipeline/types.ts';
import { containerSpec, record, shown } from './step-fixtures.ts';

const hybridHost = { cgroupMode: 'hybrid', binaries: {} } as unknown as HostFacts;

describe('runsc adapter', () => {
  let workDir: string;
  let mountpoint: string;
  let group: RuntimeGroup | undefined;
  let rt: string;
  beforeEach(() => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-runsc-'));
    mountpoint = path.join(workDir, 'mnt');
    rt = ['runsc', ...RUNSC_GLOBAL_FLAGS, '--root', path.join(mountpoint, 'state', 'runsc')].join(' ');
  });
  afterEach(async () => {
    await group?.close();
    group = undefined;
    rmSync(workDir, { recursive: true, force: true });
  });
  const open = async (groupId = 'runsc.copy.ext4'): Promise<RuntimeGroup> => {
    group = await runsc.openGroup({
      groupId, workDir, mountpoint, poolName: `crbench-${groupId}`, host: hybridHost, runtime: 'runsc', storageDriver: 'copy', limits: DEFAULT_LIMITS,
    });
    return group;
  };
  const spec = (lifecycle: 'exec' | 'command') => containerSpec(lifecycle, { dir: path.join(mountpoint, 'containers', `c-${lifecycle}`), workloadArgv: ['/bin/echo', 'hi'] });

  it('is registered as runsc, its version asked from the binary', () => {
    assert.equal(RUNTIMES['runsc'], runsc);
    assert.deepEqual(runsc.versionArgv, ['runsc', '--version']);
  });

  it('runs every command with no network and the ptrace platform, and without --ignore-cgroups (the limits apply)', () => {
    assert.deepEqual(RUNSC_GLOBAL_FLAGS, ['--network=none', '--platform=ptrace', '--oci-seccomp', '--net-raw']);
    assert.ok(!RUNSC_GLOBAL_FLAGS.includes('--ignore-cgroups'));
  });

  it('exec shape: a sleeping init in the bundle, the workload exec\'d into it, the sandbox killed and its init waited for', async () => {
    const c = spec('exec');
    const plan = (await open()).container(c);
    const rootfs = path.join(c.dir, 'rootfs');
    plan.prepare?.();
    const config = JSON.parse(readFileSync(path.join(c.dir, 'config.json'), 'utf8')) as { process: { args: string[] }; linux: { cgroupsPath: string } };
    assert.deepEqual(config.process.args, ['/bin/sleep', '86400']);
    assert.match(config.linux.cgroupsPath, new RegExp(`/runsc\\.copy\\.ext4/${c.id}$`));
    assert.deepEqual(shown(plan.create()), [
      `rootfs: cp -a: cp -a --reflink=never ${path.join(mountpoint, 'images/tiny/rootfs')} ${rootfs}`,
      `runsc create: ${rt} create --bundle ${c.dir} --pid-file ${c.dir}/init.pid ${c.id}`,
    ]);
    writeFileSync(path.join(c.dir, 'init.pid'), '4242\n');
    plan.after?.('create', []);
    assert.deepEqual(shown(plan.launch()), [`runsc start: ${rt} start ${c.id}`]);
    assert.deepEqual(plan.execute(), [{ kind: 'run', label: 'runsc exec', argv: [...rt.split(' '), 'exec', c.id, '/bin/echo', 'hi'], exitJudgedElsewhere: true }]);
    assert.deepEqual(shown(plan.stop()), [`runsc kill: ${rt} kill ${c.id} KILL`, 'init exit: wait-exit 4242']);
    const [kill] = plan.stop();
    assert.equal(kill?.kind === 'run' && kill.exitJudgedElsewhere, true, 'a sandbox that died with its workload fails no kill: the wait judges');
    assert.deepEqual(shown(plan.clean()), [`runsc delete: ${rt} delete ${c.id}`, `rootfs: rm -rf: rm -rf ${rootfs}`]);
    assert.deepEqual(shown(plan.forceRemove()), [`runsc delete --force: ${rt} delete --force ${c.id}`, `rootfs: rm -rf: rm -rf ${rootfs}`]);
    assert.match(plan.memoryCgroup?.() ?? '', new RegExp(`^/sys/fs/cgroup/memory/.*/runsc\\.copy\\.ext4/${c.id}$`), 'runsc honours the bundle\'s cgroupsPath like runc');
    assert.equal(plan.workloadRun([record({ stdout: 'hi\n', exitCode: 0 })]).stdout, 'hi\n');
  });

  it('command shape: the bundle\'s process is the workload, its output in the bundle\'s files; execute waits for the sandbox\'s init to exit; stop does nothing', async () => {
    const c = spec('command');
    const plan = (await open()).container(c);
    plan.prepare?.();
    const config = JSON.parse(readFileSync(path.join(c.dir, 'config.json'), 'utf8')) as { process: { args: string[] } };
    assert.deepEqual(config.process.args, ['/bin/echo', 'hi']);
    assert.deepEqual(plan.create().at(-1), {
      kind: 'run', label: 'runsc create', argv: [...rt.split(' '), 'create', '--bundle', c.dir, '--pid-file', path.join(c.dir, 'init.pid'), c.id],
      stdoutPath: path.join(c.dir, 'workload.out'), stderrPath: path.join(c.dir, 'workload.err'),
    });
    writeFileSync(path.join(c.dir, 'init.pid'), '777\n');
    plan.after?.('create', []);
    assert.deepEqual(shown(plan.launch()), [`runsc start: ${rt} start ${c.id}`]);
    assert.deepEqual(shown(plan.execute()), ['workload exit: wait-exit 777'], 'gVisor\'s sandbox exits with its workload: the executor reaps it');
    assert.deepEqual(plan.stop(), []);
    assert.deepEqual(shown(plan.clean()), [`runsc delete: ${rt} delete ${c.id}`, `rootfs: rm -rf: rm -rf ${path.join(c.dir, 'rootfs')}`]);
  });

  it('command shape: reads the exit from the reaped init, the output from the bundle\'s files', async () => {
    const c = spec('command');
    const plan = (await open()).container(c);
    mkdirSync(c.dir, { recursive: true });
    writeFileSync(path.join(c.dir, 'workload.out'), 'hi\n');
    writeFileSync(path.join(c.dir, 'workload.err'), 'warn\n');
    assert.deepEqual(plan.workloadRun([record({ kind: 'wait-exit', what: ['777'], exitCode: 3, durationMs: 6 })]), {
      argv: [`${c.id}:`, '/bin/echo', 'hi'], durationMs: 6, exitCode: 3, signal: null, stdout: 'hi\n', stderr: 'warn\n',
    });
    const killed = plan.workloadRun([record({ kind: 'wait-exit', exitCode: null, signal: 'SIGKILL' })]);
    assert.deepEqual([killed.exitCode, killed.signal], [null, 'SIGKILL']);
    rmSync(path.join(c.dir, 'workload.err'));
    assert.equal(plan.workloadRun([record({ kind: 'wait-exit' })]).stderr, '', 'a missing output file is no output');
    assert.equal(plan.workloadRun([]).exitCode, null, 'no wait: no exit code made up');
  });

  it('records teardown commands that list containers the runsc way (-quiet, not -q), and releases them on close', async () => {
    await open('g');
    const stateRoot = path.join(mountpoint, 'state', 'runsc');
    const [state] = listRuntimeStates(workDir);
    assert.equal(state?.runtime, 'runsc');
    assert.deepEqual(state?.teardownCommands, [[
      'sh', '-c', 'for id in $("$@" list -quiet); do "$@" delete --force "$id"; done; exit 0',
      'sh', 'runsc', '--network=none', '--platform=ptrace', '--oci-seccomp', '--net-raw', '--root', stateRoot,
    ]]);
    assert.deepEqual(state?.teardownCommands, runscTeardownCommands(['runsc', ...RUNSC_GLOBAL_FLAGS], stateRoot));
    await group?.close();
    group = undefined;
    assert.deepEqual(listRuntimeStates(workDir), []);
  });

  it('keeps /tmp on the root filesystem: a marker file in the image\'s /tmp, added right after the unpack (before a snapshot)', async () => {
    const opened = await open('g');
    const imageRootfs = path.join(mountpoint, 'images/tiny/rootfs');
    assert.deepEqual(opened.importImage('tiny', '/cache/tiny.tar'), [
      { kind: 'run', label: 'image: mkdir', argv: ['mkdir', '-p', imageRootfs] },
      { kind: 'run', label: 'image: tar -x', argv: ['tar', '-xf', '/cache/tiny.tar', '-C', imageRootfs] },
      { kind: 'run', label: 'image: /tmp marker', argv: ['touch', path.join(imageRootfs, 'tmp', RUNSC_TMP_MARKER)] },
    ]);
    assert.equal(RUNSC_TMP_MARKER, '.crbench-keeps-tmp-on-rootfs');
    assert.ok(opened.workarounds.includes(RUNSC_TMP_WORKAROUND));
  });

  describe('withTmpMarker()', () => {
    it('puts the marker after the unpack and before whatever follows it (a zfs snapshot)', () => {
      const marked = withTmpMarker([
        run('image: zfs create', ['zfs', 'create', '-p', '-o', 'mountpoint=/m/img', 'pool/img']),
        run('image: tar -x', ['tar', '-xf', '/cache/tiny.tar', '-C', '/m/img']),
        run('image: zfs snapshot', ['zfs', 'snapshot', 'pool/img@base']),
      ], '/cache/tiny.tar');
      assert.deepEqual(shown(marked), [
        'image: zfs create: zfs create -p -o mountpoint=/m/img pool/img',
        'image: tar -x: tar -xf /cache/tiny.tar -C /m/img',
        `image: /tmp marker: touch /m/img/tmp/${RUNSC_TMP_MARKER}`,
        'image: zfs snapshot: zfs snapshot pool/img@base',
      ]);
    });

    it('refuses a driver\'s import that unpacks nothing it can find, rather than lose the marker', () => {
      assert.throws(() => withTmpMarker([run('x', ['true'])], '/cache/tiny.tar'), /no `tar … -C ROOTFS` step/);
      assert.throws(() => withTmpMarker([run('image: tar -x', ['tar', '-xf', '/cache/other.tar', '-C', '/m/img'])], '/cache/tiny.tar'), /no `tar … -C ROOTFS` step/);
    });
  });

  describe('describePhases()', () => {
    it('describes the exec shape with its flags', () => {
      const phases = runsc.describePhases('copy', 'exec', 'runsc');
      assert.equal(phases.launch, 'runsc --network=none --platform=ptrace --oci-seccomp --net-raw --root STATE start ID');
      assert.match(phases.create, /^cp -a --reflink=never .*; runsc --network=none --platform=ptrace --oci-seccomp --net-raw --root STATE create --bundle BUNDLE --pid-file BUNDLE\/init\.pid ID \(the init sleeps\)$/);
      assert.equal(phases.execute, 'runsc --network=none --platform=ptrace --oci-seccomp --net-raw --root STATE exec ID WORKLOAD');
      assert.match(phases.stop, /^runsc .* kill ID KILL, then wait until the init has exited/);
      assert.match(phases.clean, /^runsc --network=none --platform=ptrace --oci-seccomp --net-raw --root STATE delete ID; rm -rf BUNDLE\/rootfs$/);
    });

    it('describes the command shape: the wait for the sandbox\'s exit in execute, nothing to stop', () => {
      const phases = runsc.describePhases('copy', 'command', 'runsc');
      assert.match(phases.create, /create --bundle BUNDLE --pid-file BUNDLE\/init\.pid ID \(the bundle's process is the workload, its output to BUNDLE\/workload\.out and \.err\)$/);
      assert.equal(phases.launch, 'runsc --network=none --platform=ptrace --oci-seccomp --net-raw --root STATE start ID: the workload starts running');
      assert.match(phases.execute, /^wait until the workload .* has exited; crbench's timer reaps it and has its exit status$/);
      assert.equal(phases.stop, 'nothing: the workload has exited, and with it the container');
    });
  });
});
