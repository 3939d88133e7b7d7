import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listRuntimeStates } from '../../provision/runtime-state.ts';
import type { Step, StepRecord } from '../../pipeline/run/executor/steps.ts';
import { DEFAULT_LIMITS } from '../../pipeline/run/limits.ts';
import { adapterOf, RUNTIMES, type ContainerSpec } from '../../pipeline/run/runtimes/index.ts';
import type { HostFacts, Lifecycle } from '../../pipeline/types.ts';

const v2Host = { cgroupMode: 'v2', binaries: {} } as unknown as HostFacts;

/** What the steps run, as text: argv, `wait-exit PID`. */
const shown = (steps: Step[]) => steps.map((step) => (step.kind === 'run' ? `${step.label}: ${step.argv.join(' ')}` : step.kind === 'wait-exit' ? `${step.label}: wait-exit ${step.pid}` : step.kind));

function record(overrides: Partial<StepRecord>): StepRecord {
  return { label: 'x', kind: 'run', what: [], startMs: 0, endMs: 1, durationMs: 1, exitCode: 0, signal: null, stdout: '', stderr: '', ...overrides };
}

describe('OCI runtime adapters (runc, crun, runsc): the two shapes as steps', () => {
  let workDir: string;
  const spec = (lifecycle: Lifecycle): ContainerSpec => ({
    id: `tiny-noop-${lifecycle}-c1-b0-r0`, image: 'tiny', dir: path.join(workDir, 'mnt/containers/c'), workloadArgv: ['/bin/echo', 'hi'],
    lifecycle, netns: 'fresh', cgroup: 'fresh',
  });
  beforeEach(() => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-rt-'));
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  const open = (name: string) => adapterOf(name)!.openGroup({
    groupId: 'g', workDir, mountpoint: path.join(workDir, 'mnt'), host: v2Host, poolName: 'crbench-g', runtime: name, storageDriver: 'copy', limits: DEFAULT_LIMITS,
  });

  it('registers runc, crun and runsc, and finds an engine+oci value by its engine', () => {
    assert.ok(RUNTIMES['runc'] && RUNTIMES['crun'] && RUNTIMES['runsc']);
    assert.equal(adapterOf('docker+crun')?.name, 'docker');
    assert.equal(adapterOf('nothing'), undefined);
  });

  for (const name of ['runc', 'crun']) {
    it(`${name} exec: a sleeping init, the workload exec'd into it, the init killed and waited for by its pid from the pid file`, async () => {
      const group = await open(name);
      const c = spec('exec');
      const plan = group.container(c);
      const rt = `${name} --root ${path.join(workDir, 'mnt', 'state', name)}`;
      const rootfs = path.join(c.dir, 'rootfs');
      plan.prepare?.();
      const config = JSON.parse(readFileSync(path.join(c.dir, 'config.json'), 'utf8')) as { process: { args: string[] }; linux: { resources: { pids: { limit: number } } } };
      assert.deepEqual(config.process.args, ['/bin/sleep', '86400']);
      assert.equal(config.linux.resources.pids.limit, DEFAULT_LIMITS.pids);
      assert.deepEqual(shown(plan.create()), [
        `rootfs: cp -a: cp -a --reflink=never ${path.join(workDir, 'mnt/images/tiny/rootfs')} ${rootfs}`,
        `${name} create: ${rt} create --bundle ${c.dir} --pid-file ${c.dir}/init.pid ${c.id}`,
      ]);
      writeFileSync(path.join(c.dir, 'init.pid'), '4242');
      plan.after?.('create', []);
      assert.deepEqual(shown(plan.launch()), [`${name} start: ${rt} start ${c.id}`]);
      // crun 1.8's exec ignores the config's noNewPrivileges unless told.
      const execFlags = name === 'crun' ? '--no-new-privs ' : '';
      assert.deepEqual(shown(plan.execute()), [`${name} exec: ${rt} exec ${execFlags}${c.id} /bin/echo hi`]);
      assert.deepEqual(shown(plan.stop()), [`${name} kill: ${rt} kill ${c.id} KILL`, 'init exit: wait-exit 4242']);
      const [kill] = plan.stop();
      assert.equal(kill?.kind === 'run' && kill.exitJudgedElsewhere, true, 'the wait for the init judges the stop');
      assert.deepEqual(shown(plan.clean()), [`${name} delete: ${rt} delete ${c.id}`, `rootfs: rm -rf: rm -rf ${rootfs}`]);
      assert.equal(plan.workloadRun([record({ stdout: 'hi\n', what: ['x'] })]).stdout, 'hi\n');
      await group.close();
    });

    it(`${name} command: the bundle's process is the workload, its output in the bundle's files, execute waits for its exit, stop does nothing`, async () => {
      const group = await open(name);
      const c = spec('command');
      const plan = group.container(c);
      plan.prepare?.();
      const config = JSON.parse(readFileSync(path.join(c.dir, 'config.json'), 'utf8')) as { process: { args: string[] } };
      assert.deepEqual(config.process.args, ['/bin/echo', 'hi']);
      const create = plan.create().at(-1);
      assert.ok(create?.kind === 'run');
      assert.equal(create.stdoutPath, path.join(c.dir, 'workload.out'));
      assert.equal(create.stderrPath, path.join(c.dir, 'workload.err'));
      writeFileSync(path.join(c.dir, 'init.pid'), '777\n');
      plan.after?.('create', []);
      assert.deepEqual(shown(plan.execute()), ['workload exit: wait-exit 777']);
      assert.deepEqual(plan.stop(), []);
      writeFileSync(path.join(c.dir, 'workload.out'), 'hi\n');
      const run = plan.workloadRun([record({ kind: 'wait-exit', exitCode: 3 })]);
      assert.deepEqual({ exitCode: run.exitCode, stdout: run.stdout }, { exitCode: 3, stdout: 'hi\n' });
      await group.close();
    });
  }

  it('fails a create whose pid file is missing, with the reason, instead of waiting on no pid', async () => {
    const group = await open('runc');
    const plan = group.container(spec('exec'));
    plan.prepare?.();
    assert.throws(() => plan.after?.('create', []), /wrote no pid file/);
    await group.close();
  });

  it('records its state before use and releases it on close', async () => {
    const group = await open('runc');
    assert.deepEqual(listRuntimeStates(workDir).map((state) => state.runtime), ['runc']);
    assert.ok(existsSync(path.join(workDir, 'mnt', 'state', 'runc')));
    await group.close();
    assert.deepEqual(listRuntimeStates(workDir), []);
  });

  it('describes each phase of each shape with the command behind it, storage included, for the report', () => {
    const exec = RUNTIMES['runc']?.describePhases('copy', 'exec', 'runc');
    assert.equal(exec?.launch, 'runc --root STATE start ID');
    assert.match(exec?.create ?? '', /^cp -a --reflink=never .*; runc --root STATE create --bundle BUNDLE --pid-file/);
    assert.match(exec?.stop ?? '', /kill ID KILL, then wait/);
    const command = RUNTIMES['runc']?.describePhases('copy', 'command', 'runc');
    assert.match(command?.stop ?? '', /^nothing/);
    assert.match(command?.execute ?? '', /wait until the workload/);
  });
});
