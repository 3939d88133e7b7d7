import assert from 'node:assert/strict';
import { assertSocketPathsFit, dockerdArgv, dockerdConfig, dockerdPaths, explainDockerdLog } from '../../../provision/daemons/dockerd.ts';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import type { LaterStep } from '../../../pipeline/run/executor/steps.ts';
import { createContainerBody, describeDockerApiPhases, docker, dockerApiSteps, importPath, type DockerEndpoint } from '../../../pipeline/run/runtimes/docker.ts';
import { adapterOf, RUNTIMES } from '../../../pipeline/run/runtimes/index.ts';
import { asHttp, containerSpec, httpRecord, record, shown, streamFrame } from './step-fixtures.ts';

const endpoint: DockerEndpoint = { socketPath: '/w/runtime-state/dk-1/d.sock', apiVersion: '1.41', runtime: null };
const steps = dockerApiSteps(endpoint, DEFAULT_LIMITS);
const HOST_CONFIG = { Memory: 268435456, MemorySwap: 268435456, PidsLimit: 256, NanoCpus: 1e9, NetworkMode: 'none' };

/** The `later` step at `index`, or a failed assertion. */
function laterAt(list: ReturnType<ReturnType<typeof steps.container>['execute']>, index: number): LaterStep {
  const step = list[index];
  if (step?.kind !== 'later') throw new Error(`expected a later step at ${index}, got ${step?.kind ?? 'nothing'}`);
  return step;
}

describe('docker adapter (Engine API)', () => {
  it('is registered, with docker-cli and podman, and takes an OCI runtime behind it (docker+runsc)', () => {
    assert.equal(RUNTIMES['docker'], docker);
    assert.ok(RUNTIMES['docker-cli'] && RUNTIMES['podman']);
    assert.equal(adapterOf('docker+runsc'), docker);
    assert.deepEqual(docker.versionArgv, ['dockerd', '--version']);
  });

  it('imports a tarball with POST /images/create?fromSrc=- on the group\'s socket, the file as the body', () => {
    assert.equal(importPath('tiny'), '/images/create?fromSrc=-&repo=crbench%2Ftiny&tag=latest');
    assert.deepEqual(steps.importImage('tiny', '/cache/tiny.tar'), [{
      kind: 'http', label: 'POST /images/create', socketPath: endpoint.socketPath, method: 'POST',
      path: '/v1.41/images/create?fromSrc=-&repo=crbench%2Ftiny&tag=latest', accept: [200], bodyFile: '/cache/tiny.tar',
    }]);
  });

  it('finds an import\'s failure in its progress stream, although the status is 200', () => {
    assert.equal(steps.importError([httpRecord(200, '{"status":"sha256:abc"}\r\n')]), undefined);
    assert.equal(steps.importError([httpRecord(200, '{"status":"Loading"}\r\n{"error":"Error processing tar file(exit status 1): unexpected EOF"}\r\n')]),
      'Error processing tar file(exit status 1): unexpected EOF');
  });

  describe('the exec shape', () => {
    const c = containerSpec('exec', { workloadArgv: ['/bin/echo', 'hi'] });
    const plan = steps.container(c);

    it('creates a sleeping init with the limits in HostConfig and no Runtime (dockerd\'s runc), then starts it', () => {
      assert.deepEqual(plan.create(), [{
        kind: 'http', label: 'POST /containers/create', socketPath: endpoint.socketPath, method: 'POST',
        path: `/v1.41/containers/create?name=${c.id}`, accept: [201],
        json: { Image: 'crbench/tiny:latest', Cmd: ['/bin/sleep', '86400'], AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, HostConfig: HOST_CONFIG },
      }]);
      assert.deepEqual(shown(plan.launch()), [`POST /containers/start: POST /v1.41/containers/${c.id}/start`]);
      assert.deepEqual(asHttp(plan.launch()[0]).accept, [204]);
    });

    it('executes the workload with an exec: create it, then start and inspect it by the Id the daemon answered', () => {
      const execute = plan.execute();
      assert.deepEqual(shown(execute), [`POST /containers/exec: POST /v1.41/containers/${c.id}/exec`, 'POST /exec/start: later', 'GET /exec/json: later']);
      const create = asHttp(execute[0]);
      assert.deepEqual([create.json, create.accept], [{ AttachStdout: true, AttachStderr: true, Tty: false, Cmd: ['/bin/echo', 'hi'] }, [201]]);
      const created = httpRecord(201, '{"Id":"e1d2"}');
      const start = asHttp(laterAt(execute, 1).build([created]));
      assert.deepEqual(start, {
        kind: 'http', label: 'POST /exec/start', socketPath: endpoint.socketPath, method: 'POST', path: '/v1.41/exec/e1d2/start', accept: [200],
        json: { Detach: false, Tty: false },
      });
      const inspect = asHttp(laterAt(execute, 2).build([created, httpRecord(200, streamFrame(1, 'hi\n'))]));
      assert.deepEqual(inspect, { kind: 'http', label: 'GET /exec/json', socketPath: endpoint.socketPath, method: 'GET', path: '/v1.41/exec/e1d2/json', accept: [200] });
      assert.equal(asHttp(laterAt(execute, 1).build([httpRecord(201, '{"Id":"a/b"}')])).path, '/v1.41/exec/a%2Fb/start', 'the Id is escaped in the path');
      assert.throws(() => laterAt(execute, 1).build([httpRecord(201, 'oops')]), /exec create: not JSON: oops/);
    });

    it('reads the workload\'s output from the exec\'s stream (frames demultiplexed) and its exit code from the inspection', () => {
      const stream = Buffer.concat([streamFrame(1, 'hi\n'), streamFrame(2, 'warn\n'), streamFrame(1, 'bye\n')]);
      const records = [httpRecord(201, '{"Id":"e1"}'), httpRecord(200, stream, { durationMs: 4 }), httpRecord(200, '{"ExitCode":3,"Running":false}', { durationMs: 1.5 })];
      assert.deepEqual(plan.workloadRun(records), {
        argv: [`${c.id}:`, '/bin/echo', 'hi'], durationMs: 5.5, exitCode: 3, signal: null, stdout: 'hi\nbye\n', stderr: 'warn\n',
      });
      // The same bytes under the record's other name for them.
      const asBody = [records[0]!, record({ kind: 'http', body: stream }), records[2]!];
      assert.equal(plan.workloadRun(asBody).stdout, 'hi\nbye\n');
      assert.throws(() => plan.workloadRun([records[0]!, records[1]!, httpRecord(200, '{"Running":true}')]), /no ExitCode/);
    });

    it('stops by killing the init and waiting until it has exited, cleans and force-removes with one DELETE', () => {
      assert.deepEqual(shown(plan.stop()), [
        `POST /containers/kill: POST /v1.41/containers/${c.id}/kill?signal=KILL`,
        `POST /containers/wait: POST /v1.41/containers/${c.id}/wait`,
      ]);
      assert.deepEqual(plan.stop().map((step) => asHttp(step).accept), [[204], [200]]);
      assert.deepEqual(shown(plan.clean()), [`DELETE /containers: DELETE /v1.41/containers/${c.id}?v=1&force=1`]);
      assert.deepEqual(asHttp(plan.clean()[0]).accept, [204]);
      assert.deepEqual(shown(plan.forceRemove()), [`DELETE /containers (force): DELETE /v1.41/containers/${c.id}?v=1&force=1`]);
      assert.deepEqual(asHttp(plan.forceRemove()[0]).accept, [204, 404], 'a container that was never made is no failure');
    });
  });

  describe('the command shape', () => {
    const c = containerSpec('command', { workloadArgv: ['/bin/sh', '/task/run'] });
    const plan = steps.container(c);

    it('creates the container with the workload as its command, waits for it and reads its logs, and stops nothing', () => {
      assert.deepEqual(asHttp(plan.create()[0]).json, {
        Image: 'crbench/tiny:latest', Cmd: ['/bin/sh', '/task/run'], AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, HostConfig: HOST_CONFIG,
      });
      assert.deepEqual(shown(plan.launch()), [`POST /containers/start: POST /v1.41/containers/${c.id}/start`]);
      assert.deepEqual(shown(plan.execute()), [
        `POST /containers/wait: POST /v1.41/containers/${c.id}/wait`,
        `GET /containers/logs: GET /v1.41/containers/${c.id}/logs?stdout=1&stderr=1`,
      ]);
      assert.deepEqual(plan.execute().map((step) => asHttp(step).accept), [[200], [200]]);
      assert.deepEqual(plan.stop(), []);
      assert.deepEqual(shown(plan.clean()), [`DELETE /containers: DELETE /v1.41/containers/${c.id}?v=1&force=1`]);
    });

    it('reads the exit code from the wait\'s StatusCode and the output from the logs\' frames', () => {
      const logs = Buffer.concat([streamFrame(1, 'out\n'), streamFrame(2, 'err\n')]);
      assert.deepEqual(plan.workloadRun([httpRecord(200, '{"Error":null,"StatusCode":3}\n', { durationMs: 10 }), httpRecord(200, logs, { durationMs: 2 })]), {
        argv: [`${c.id}:`, '/bin/sh', '/task/run'], durationMs: 12, exitCode: 3, signal: null, stdout: 'out\n', stderr: 'err\n',
      });
      assert.equal(plan.workloadRun([httpRecord(200, '{"StatusCode":0}'), httpRecord(200, Buffer.alloc(0))]).stdout, '', 'no output is no frame');
    });

    it('says why when the wait did not give an exit code', () => {
      assert.throws(() => plan.workloadRun([httpRecord(200, '{"Error":{"Message":"container not found"},"StatusCode":-1}'), httpRecord(200, '')]),
        /the daemon could not wait for the container: container not found/);
      assert.throws(() => plan.workloadRun([httpRecord(200, '{}'), httpRecord(200, '')]), /no StatusCode/);
      assert.throws(() => plan.workloadRun([httpRecord(200, '<html>'), httpRecord(200, '')]), /POST \/containers\/wait: not JSON/);
    });
  });

  it('names the OCI runtime in HostConfig.Runtime only when the group chose one (docker+crun, docker+runsc)', () => {
    for (const lifecycle of ['exec', 'command'] as const) {
      const body = asHttp(dockerApiSteps({ ...endpoint, runtime: 'runsc' }, DEFAULT_LIMITS).container(containerSpec(lifecycle)).create()[0]).json as { HostConfig: Record<string, unknown> };
      assert.deepEqual(body.HostConfig, { ...HOST_CONFIG, Runtime: 'runsc' }, lifecycle);
      const plain = asHttp(steps.container(containerSpec(lifecycle)).create()[0]).json as { HostConfig: Record<string, unknown> };
      assert.ok(!('Runtime' in plain.HostConfig), lifecycle);
    }
    assert.deepEqual(createContainerBody('grader', ['/bin/sh', '-c', 'x'], { memoryBytes: 1, pids: 2, cpus: 0.5, network: 'none' }, 'crun').HostConfig,
      { Memory: 1, MemorySwap: 1, PidsLimit: 2, NanoCpus: 5e8, NetworkMode: 'none', Runtime: 'crun' });
  });

  it('prefixes every path with the API version the group pinned', () => {
    const older = dockerApiSteps({ ...endpoint, apiVersion: '1.40' }, DEFAULT_LIMITS).container(containerSpec('exec'));
    assert.match(asHttp(older.launch()[0]).path, /^\/v1\.40\/containers\//);
  });

  describe('describePhases()', () => {
    it('states the exec shape\'s requests, the limits and the OCI runtime', () => {
      const phases = describeDockerApiPhases('overlay2', 'exec', null);
      assert.match(phases.create, /^POST \/v1\.41\/containers\/create\?name=ID \{"Image": "crbench\/IMAGE:latest", "Cmd": \["\/bin\/sleep", "86400"\], "HostConfig": \{"Memory": 268435456, "MemorySwap": 268435456, "PidsLimit": 256, "NanoCpus": 1000000000, "NetworkMode": "none"\}\}/);
      assert.match(phases.create, /--storage-driver overlay2, OCI runtime runc \(dockerd's default\)/);
      assert.equal(phases.launch, 'POST /v1.41/containers/ID/start: the sleeping init starts');
      assert.match(phases.execute, /^POST \/v1\.41\/containers\/ID\/exec \{"Cmd": WORKLOAD\}, POST \/v1\.41\/exec\/EID\/start .*GET \/v1\.41\/exec\/EID\/json \(its exit code\)$/);
      assert.equal(phases.stop, 'POST /v1.41/containers/ID/kill?signal=KILL, then POST /v1.41/containers/ID/wait (until the init has exited)');
      assert.match(phases.clean, /^DELETE \/v1\.41\/containers\/ID\?v=1&force=1: dockerd unmounts and deletes the container's overlay2 layer$/);
    });

    it('states the command shape\'s requests: the workload as the command, wait and logs, nothing to stop', () => {
      const phases = describeDockerApiPhases('btrfs', 'command', null);
      assert.match(phases.create, /"Cmd": WORKLOAD, .*the workload is the container's command, as INGInious runs a grading container$/);
      assert.equal(phases.launch, 'POST /v1.41/containers/ID/start: the workload starts running');
      assert.match(phases.execute, /^POST \/v1\.41\/containers\/ID\/wait, then GET \/v1\.41\/containers\/ID\/logs\?stdout=1&stderr=1 \(frames demultiplexed\)/);
      assert.equal(phases.stop, 'nothing: the workload has exited, and with it the container');
    });

    it('names the OCI runtime of a docker+oci value in HostConfig and in words', () => {
      const phases = docker.describePhases('overlay2', 'exec', 'docker+runsc');
      assert.match(phases.create, /"NetworkMode": "none", "Runtime": "runsc"\}/);
      assert.match(phases.create, /OCI runtime runsc/);
      assert.doesNotMatch(docker.describePhases('overlay2', 'command', 'docker').create, /"Runtime"/);
    });
  });
});

describe('dockerdArgv()', () => {
  const paths = dockerdPaths('/var/lib/crbench', 'docker.overlay2.ext4', '/var/lib/crbench/mnt/docker.overlay2.ext4');

  it('keeps every path below the work directory or on the volume, and off the host\'s network', () => {
    const argv = dockerdArgv(paths, 'overlay2', '/usr/sbin/dockerd');
    const flag = (name: string) => argv[argv.indexOf(name) + 1];
    assert.equal(argv[0], '/usr/sbin/dockerd');
    assert.equal(flag('--data-root'), '/var/lib/crbench/mnt/docker.overlay2.ext4/docker');
    assert.equal(flag('--config-file'), paths.configFile);
    assert.equal(flag('--host'), `unix://${paths.socket}`);
    assert.equal(flag('--storage-driver'), 'overlay2');
    assert.equal(flag('--bridge'), 'none');
    assert.equal(flag('--cgroup-parent'), `/${paths.cgroupParent}`);
    for (const owned of [flag('--exec-root'), flag('--pidfile'), flag('--config-file')]) assert.ok(owned?.startsWith('/var/lib/crbench/runtime-state/dk-'), owned);
    for (const off of ['--iptables=false', '--ip6tables=false', '--ip-masq=false', '--ip-forward=false']) assert.ok(argv.includes(off), off);
    const text = argv.join(' ');
    assert.doesNotMatch(text, /\/var\/run\/docker\.sock|\/run\/docker\.sock|\/var\/lib\/docker|\/etc\/docker/);
    assert.deepEqual(dockerdConfig(paths), { 'deprecated-key-path': paths.keyFile }, 'no runtimes entry when none is registered');
    assert.ok(paths.keyFile.startsWith(paths.stateDir));
  });

  it('gives each group its own socket, state and cgroup, short enough for a unix socket', () => {
    const other = dockerdPaths('/var/lib/crbench', 'docker.vfs.ext4', '/m');
    assert.notEqual(other.socket, paths.socket);
    assert.notEqual(other.cgroupParent, paths.cgroupParent);
    assert.doesNotThrow(() => assertSocketPathsFit(paths));
    assert.throws(() => assertSocketPathsFit(dockerdPaths(`/var/tmp/${'x'.repeat(80)}`, 'g', '/m')), /point CRBENCH_WORK_DIR at a shorter directory/);
  });

  it('says why dockerd did not start, from its log', () => {
    const log = [
      'time="2026-11-22T12:57:57Z" level=info msg="Starting up"',
      'time="2026-11-22T12:57:57Z" level=info msg="containerd successfully booted in 0.03s"',
      'failed to start daemon: error initializing graphdriver: driver not supported',
    ].join('\n');
    assert.equal(explainDockerdLog(log), 'failed to start daemon: error initializing graphdriver: driver not supported');
    assert.equal(explainDockerdLog('time="x" level=error msg="\\"overlay2\\" is not supported over btrfs"\n'), '"overlay2" is not supported over btrfs');
    assert.equal(explainDockerdLog(''), '');
  });
});
