import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import { describeDockerCliPhases, dockerCli, dockerCliPrefix, dockerCliSteps, findDockerClient } from '../../../pipeline/run/runtimes/docker-cli.ts';
import { limitFlags } from '../../../pipeline/run/runtimes/docker-common.ts';
import { adapterOf } from '../../../pipeline/run/runtimes/index.ts';
import { containerSpec, record, shown } from './step-fixtures.ts';

const cli = dockerCliPrefix('/usr/bin/docker', '/w/runtime-state/dk-1/cli', '/w/runtime-state/dk-1/d.sock');
const LIMITS = ['--network', 'none', '--memory', '268435456b', '--memory-swap', '268435456b', '--pids-limit', '256', '--cpus', '1'];

describe('docker-cli adapter', () => {
  const steps = dockerCliSteps(cli, DEFAULT_LIMITS, null);
  const d = cli.join(' ');

  it('is registered, and takes an OCI runtime behind its daemon (docker-cli+crun)', () => {
    assert.equal(adapterOf('docker-cli+crun'), dockerCli);
    assert.deepEqual(dockerCli.versionArgv, ['/usr/bin/docker', '--version']);
  });

  it('talks to the group\'s daemon only, with a client configuration of its own', () => {
    assert.deepEqual(cli, ['/usr/bin/docker', '--config', '/w/runtime-state/dk-1/cli', '-H', 'unix:///w/runtime-state/dk-1/d.sock']);
  });

  it('imports an image with docker import, as crbench/IMAGE:latest', () => {
    assert.deepEqual(steps.importImage('tiny', '/cache/tiny.tar'), [{ kind: 'run', label: 'docker import', argv: [...cli, 'import', '/cache/tiny.tar', 'crbench/tiny:latest'] }]);
  });

  it('passes the limits as docker create takes them', () => {
    assert.deepEqual(limitFlags(DEFAULT_LIMITS), LIMITS);
    assert.deepEqual(limitFlags({ memoryBytes: 1024, pids: 8, cpus: 0.5, network: 'none' }),
      ['--network', 'none', '--memory', '1024b', '--memory-swap', '1024b', '--pids-limit', '8', '--cpus', '0.5']);
  });

  it('exec shape: a sleeping init, the workload exec\'d into it, the init killed and waited for', () => {
    const c = containerSpec('exec');
    const plan = steps.container(c);
    assert.deepEqual(shown(plan.create()), [`docker create: ${d} create --name ${c.id} ${LIMITS.join(' ')} crbench/tiny:latest /bin/sleep 86400`]);
    assert.deepEqual(shown(plan.launch()), [`docker start: ${d} start ${c.id}`]);
    assert.deepEqual(plan.execute(), [{ kind: 'run', label: 'docker exec', argv: [...cli, 'exec', c.id, '/bin/true'], exitJudgedElsewhere: true }]);
    assert.deepEqual(shown(plan.stop()), [`docker kill: ${d} kill ${c.id}`, `docker wait: ${d} wait ${c.id}`]);
    assert.deepEqual(shown(plan.clean()), [`docker rm: ${d} rm -f -v ${c.id}`]);
    assert.deepEqual(shown(plan.forceRemove()), [`docker rm --force: ${d} rm -f -v ${c.id}`]);
  });

  it('exec shape: the workload\'s run is the exec\'s own record', () => {
    const plan = steps.container(containerSpec('exec'));
    const workload = plan.workloadRun([record({ what: [...cli, 'exec'], exitCode: 2, stdout: 'graded\n', stderr: 'oops\n', durationMs: 7 })]);
    assert.deepEqual([workload.exitCode, workload.stdout, workload.stderr, workload.durationMs], [2, 'graded\n', 'oops\n', 7]);
  });

  it('command shape: the workload is the container\'s command; execute is wait + logs; stop has nothing to do', () => {
    const c = containerSpec('command', { workloadArgv: ['/bin/sh', '/task/grade-c/run'] });
    const plan = steps.container(c);
    assert.deepEqual(shown(plan.create()), [`docker create: ${d} create --name ${c.id} ${LIMITS.join(' ')} crbench/tiny:latest /bin/sh /task/grade-c/run`]);
    assert.deepEqual(shown(plan.launch()), [`docker start: ${d} start ${c.id}`]);
    assert.deepEqual(shown(plan.execute()), [`docker wait: ${d} wait ${c.id}`, `docker logs: ${d} logs ${c.id}`]);
    assert.deepEqual(plan.stop(), []);
    assert.deepEqual(shown(plan.clean()), [`docker rm: ${d} rm -f -v ${c.id}`]);
  });

  it('command shape: the exit code is what wait printed, the output what logs printed', () => {
    const c = containerSpec('command');
    const plan = steps.container(c);
    const workload = plan.workloadRun([record({ stdout: '3\n', durationMs: 20 }), record({ stdout: 'graded\n', stderr: 'warning\n', durationMs: 5 })]);
    assert.deepEqual(workload, { argv: [`${c.id}:`, '/bin/true'], durationMs: 25, exitCode: 3, signal: null, stdout: 'graded\n', stderr: 'warning\n' });
    assert.equal(plan.workloadRun([record({ stdout: 'a notice\n137\n' }), record()]).exitCode, 137, 'the last line is the exit code');
    assert.throws(() => plan.workloadRun([record({ stdout: 'Error: no such container\n' }), record()]), /expected an exit code from wait, got "Error: no such container\\n"/);
  });

  it('chooses the OCI runtime with --runtime on create, after the limits, only when the group chose one', () => {
    const c = containerSpec('command');
    const create = dockerCliSteps(cli, DEFAULT_LIMITS, 'runsc').container(c).create()[0];
    assert.deepEqual(create?.kind === 'run' ? create.argv : [], [...cli, 'create', '--name', c.id, ...LIMITS, '--runtime', 'runsc', 'crbench/tiny:latest', '/bin/true']);
    assert.ok(!shown(steps.container(c).create())[0]?.includes('--runtime'));
  });

  it('uses the client installed with dockerd, not a foreign docker earlier in PATH', () => {
    const files = new Set(['/usr/sbin/dockerd', '/usr/bin/docker', '/usr/local/bin/docker']);
    const binaries = { dockerd: '/usr/sbin/dockerd', docker: '/usr/local/bin/docker' };
    assert.equal(findDockerClient(binaries, (file) => files.has(file)), '/usr/bin/docker');
    assert.equal(findDockerClient(binaries, (file) => file !== '/usr/bin/docker' && files.has(file)), '/usr/local/bin/docker');
    assert.equal(findDockerClient({ dockerd: '/opt/d/bin/dockerd', docker: null }, (file) => file === '/opt/d/bin/docker'), '/opt/d/bin/docker');
    assert.equal(findDockerClient({ dockerd: null, docker: null }, () => false), 'docker');
  });

  describe('describePhases()', () => {
    it('describes the exec shape\'s commands, with the limits', () => {
      const phases = describeDockerCliPhases('vfs', 'exec', null);
      assert.equal(phases.create, `docker --config STATE/cli -H unix://SOCKET create --name ID ${LIMITS.join(' ')} IMAGE /bin/sleep 86400 (the group's own dockerd --storage-driver vfs)`);
      assert.equal(phases.launch, 'docker --config STATE/cli -H unix://SOCKET start ID: the sleeping init starts');
      assert.equal(phases.execute, 'docker --config STATE/cli -H unix://SOCKET exec ID WORKLOAD');
      assert.match(phases.stop, /kill ID, then docker .* wait ID \(until the init has exited\)$/);
      assert.match(phases.clean, /rm -f -v ID: the engine unmounts and deletes the container's vfs layer$/);
    });

    it('describes the command shape: the workload as the command, wait and logs, nothing to stop', () => {
      const phases = dockerCli.describePhases('overlay2', 'command', 'docker-cli+runsc');
      assert.match(phases.create, /create --name ID --network none .* --cpus 1 --runtime runsc IMAGE WORKLOAD \(.*overlay2\): the workload is the container's command/);
      assert.equal(phases.launch, 'docker --config STATE/cli -H unix://SOCKET start ID: the workload starts running');
      assert.match(phases.execute, /wait ID \(prints the workload's exit code\), then .* logs ID \(its output\)$/);
      assert.equal(phases.stop, 'nothing: the workload has exited, and with it the container');
      assert.doesNotMatch(dockerCli.describePhases('overlay2', 'exec', 'docker-cli').create, /--runtime/);
    });
  });
});
