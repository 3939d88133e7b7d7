import assert from 'node:assert/strict';
import path from 'node:path';
import { assertSocketPathsFit, dockerdArgv, dockerdConfig, dockerdPaths, explainDockerdLog } from '../../../provision/daemons/dockerd.ts';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import type { Step } from '../../../pipeline/run/phase-steps.ts';
import type { ApiResponse, DockerApiClient, RequestOptions } from '../../../pipeline/run/runtimes/docker-api.ts';
import { createContainerBody, describeDockerApiPhases, dockerApiSteps, importPath } from '../../../pipeline/run/runtimes/docker.ts';
import { RUNTIMES, type Container } from '../../../pipeline/run/runtimes/index.ts';
import type { CommandRecord } from '../../../pipeline/types.ts';

interface Sent {
  method: string;
  path: string;
  options: RequestOptions;
}

/** A client that records each request and answers from a table keyed by `METHOD path`. */
function fakeApi(answers: Record<string, { status: number; body?: string | Buffer }>): { api: DockerApiClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const api: DockerApiClient = {
    fullPath: (p) => `/v1.41${p}`,
    async request(method, p, options = {}): Promise<ApiResponse> {
      sent.push({ method, path: p, options });
      const answer = answers[`${method} ${p}`] ?? { status: 500, body: '{"message":"not in the test\'s table"}' };
      return { status: answer.status, body: Buffer.from(answer.body ?? ''), durationMs: 2 };
    },
  };
  return { api, sent };
}

/** Runs call steps the way the runner does, collecting the records they resolve with. */
async function runCalls(steps: Step[]): Promise<CommandRecord[]> {
  const records: CommandRecord[] = [];
  for (const step of steps) {
    assert.equal(step.kind, 'call');
    if (step.kind !== 'call') continue;
    const record = await step.call(5_000);
    if (record) records.push(record);
  }
  return records;
}

function logFrame(type: number, text: string): Buffer {
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, Buffer.from(text)]);
}

const container: Container = { id: 'tiny-noop-c1-b0-r0', image: 'tiny', dir: '/unused', workloadArgv: ['/bin/true'], initPid: null };

describe('docker adapter (Engine API)', () => {
  it('is registered, with docker-cli and podman', () => {
    assert.ok(RUNTIMES['docker'] && RUNTIMES['docker-cli'] && RUNTIMES['podman']);
  });

  it('imports a tarball with POST /images/create?fromSrc=- and the file as the body', async () => {
    const path_ = importPath('tiny');
    assert.equal(path_, '/images/create?fromSrc=-&repo=crbench%2Ftiny&tag=latest');
    const { api, sent } = fakeApi({ [`POST ${path_}`]: { status: 200, body: '{"status":"sha256:abc"}\r\n' } });
    const records = await runCalls(dockerApiSteps(api, DEFAULT_LIMITS).importImage('tiny', '/cache/tiny.tar'));
    assert.deepEqual(sent, [{ method: 'POST', path: path_, options: { bodyFile: '/cache/tiny.tar', timeoutMs: 5_000 } }]);
    assert.deepEqual(records[0]?.argv, ['POST', `/v1.41${path_}`]);
  });

  it('fails an import whose progress stream carries an error, although the status is 200', async () => {
    const { api } = fakeApi({ [`POST ${importPath('tiny')}`]: { status: 200, body: '{"error":"Error processing tar file(exit status 1): unexpected EOF"}\r\n' } });
    await assert.rejects(runCalls(dockerApiSteps(api, DEFAULT_LIMITS).importImage('tiny', '/cache/tiny.tar')), /unexpected EOF/);
  });

  it('creates the container with the workload as its command and the limits in HostConfig', async () => {
    const { api, sent } = fakeApi({ 'POST /containers/create?name=tiny-noop-c1-b0-r0': { status: 201, body: '{"Id":"abc","Warnings":[]}' } });
    await runCalls(dockerApiSteps(api, DEFAULT_LIMITS).create(container));
    assert.deepEqual(sent[0]?.options.json, {
      Image: 'crbench/tiny:latest', Cmd: ['/bin/true'], AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false,
      HostConfig: { Memory: 268435456, MemorySwap: 268435456, PidsLimit: 256, NanoCpus: 1e9, NetworkMode: 'none' },
    });
    assert.deepEqual(createContainerBody('grader', ['/bin/sh', '-c', 'x'], { memoryBytes: 1, pids: 2, cpus: 0.5, network: 'none' }).HostConfig,
      { Memory: 1, MemorySwap: 1, PidsLimit: 2, NanoCpus: 5e8, NetworkMode: 'none' });
  });

  it('starts, waits, reads the logs, stops with t=0 and removes, each with one request', async () => {
    const id = container.id;
    const { api, sent } = fakeApi({
      [`POST /containers/${id}/start`]: { status: 204 },
      [`POST /containers/${id}/wait`]: { status: 200, body: '{"Error":null,"StatusCode":3}\n' },
      [`GET /containers/${id}/logs?stdout=1&stderr=1`]: { status: 200, body: Buffer.concat([logFrame(1, 'out\n'), logFrame(2, 'err\n')]) },
      [`POST /containers/${id}/stop?t=0`]: { status: 304 },
      [`DELETE /containers/${id}?v=1&force=1`]: { status: 204 },
    });
    const steps = dockerApiSteps(api, DEFAULT_LIMITS);
    await runCalls(steps.launch(container));
    const executed = await runCalls(steps.execute(container, ['/bin/true']));
    await runCalls(steps.stop(container));
    await runCalls(steps.clean(container));
    assert.deepEqual(sent.map((request) => `${request.method} ${request.path}`), [
      `POST /containers/${id}/start`,
      `POST /containers/${id}/wait`,
      `GET /containers/${id}/logs?stdout=1&stderr=1`,
      `POST /containers/${id}/stop?t=0`,
      `DELETE /containers/${id}?v=1&force=1`,
    ]);
    // The last record is the workload's: what the workload check reads.
    const workload = executed.at(-1);
    assert.deepEqual([workload?.argv, workload?.exitCode, workload?.stdout, workload?.stderr], [[`${id}:`, '/bin/true'], 3, 'out\n', 'err\n']);
    assert.deepEqual(executed[0]?.argv, ['POST', `/v1.41/containers/${id}/wait`]);
  });

  it('rejects with the daemon\'s message when a request is refused', async () => {
    const { api } = fakeApi({ [`POST /containers/${container.id}/start`]: { status: 500, body: '{"message":"OCI runtime create failed"}' } });
    const [step] = dockerApiSteps(api, DEFAULT_LIMITS).launch(container);
    assert.equal(step?.kind === 'call' ? step.what : '', `POST /v1.41/containers/${container.id}/start`);
    await assert.rejects(runCalls(dockerApiSteps(api, DEFAULT_LIMITS).launch(container)), /HTTP 500: OCI runtime create failed/);
  });

  it('refuses to run another workload than the container was created with', async () => {
    const { api } = fakeApi({});
    await assert.rejects(runCalls(dockerApiSteps(api, DEFAULT_LIMITS).execute(container, ['/bin/sh', '-c', 'other'])), /was created to run \["\/bin\/true"\]/);
  });

  it('describes each request, the limits and how its life cycle differs from the OCI adapters', () => {
    const phases = describeDockerApiPhases('overlay2');
    assert.match(phases.create, /^POST \/v1\.41\/containers\/create\?name=ID .*"Memory": 268435456, "MemorySwap": 268435456, "PidsLimit": 256, "NanoCpus": 1000000000, "NetworkMode": "none"/);
    assert.match(phases.create, /--storage-driver overlay2/);
    assert.match(phases.create, /no sleeping init and no exec/);
    assert.equal(phases.launch, 'POST /v1.41/containers/ID/start: the workload starts running');
    assert.match(phases.execute, /^POST \/v1\.41\/containers\/ID\/wait, then GET \/v1\.41\/containers\/ID\/logs\?stdout=1&stderr=1/);
    assert.match(phases.stop, /^POST \/v1\.41\/containers\/ID\/stop\?t=0/);
    assert.match(phases.clean, /^DELETE \/v1\.41\/containers\/ID\?v=1&force=1/);
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
    assert.deepEqual(dockerdConfig(paths), { 'deprecated-key-path': path.join(paths.stateDir, 'key.json') });
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
