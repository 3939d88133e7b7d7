import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import type { Step } from '../../../pipeline/run/phase-steps.ts';
import { describeDockerCliPhases, dockerCliPrefix, dockerCliSteps, findDockerClient } from '../../../pipeline/run/runtimes/docker-cli.ts';
import { cliExecuteSteps } from '../../../pipeline/run/runtimes/docker-common.ts';
import type { Container } from '../../../pipeline/run/runtimes/index.ts';
import type { CommandRecord } from '../../../pipeline/types.ts';

const container: Container = { id: 'tiny-noop-c1-b0-r0', image: 'tiny', dir: '/unused', workloadArgv: ['/bin/true'], initPid: null };

async function runCalls(steps: Step[]): Promise<CommandRecord[]> {
  const records: CommandRecord[] = [];
  for (const step of steps) {
    if (step.kind !== 'call') throw new Error(`expected call steps, got ${step.kind}`);
    const record = await step.call(10_000);
    if (record) records.push(record);
  }
  return records;
}

describe('docker-cli adapter', () => {
  const cli = dockerCliPrefix('/usr/bin/docker', '/w/runtime-state/dk-1/cli', '/w/runtime-state/dk-1/d.sock');

  it('talks to the group\'s daemon only, with a client configuration of its own', () => {
    assert.deepEqual(cli, ['/usr/bin/docker', '--config', '/w/runtime-state/dk-1/cli', '-H', 'unix:///w/runtime-state/dk-1/d.sock']);
  });

  it('builds import, create, start, stop and rm the way INGInious would run them by hand', () => {
    const steps = dockerCliSteps(cli, DEFAULT_LIMITS, '/scratch');
    assert.deepEqual(steps.importImage('tiny', '/cache/tiny.tar'), [{ kind: 'run', argv: [...cli, 'import', '/cache/tiny.tar', 'crbench/tiny:latest'] }]);
    assert.deepEqual(steps.create(container), [{
      kind: 'run',
      argv: [...cli, 'create', '--name', container.id, '--network', 'none', '--memory', '268435456b', '--memory-swap', '268435456b',
        '--pids-limit', '256', '--cpus', '1', 'crbench/tiny:latest', '/bin/true'],
    }]);
    assert.deepEqual(steps.launch(container), [{ kind: 'run', argv: [...cli, 'start', container.id] }]);
    assert.deepEqual(steps.stop(container), [{ kind: 'run', argv: [...cli, 'stop', '-t', '0', container.id] }]);
    assert.deepEqual(steps.clean(container), [{ kind: 'run', argv: [...cli, 'rm', '-f', '-v', container.id] }]);
    const execute = steps.execute(container, ['/bin/true']);
    assert.deepEqual(execute.map((step) => (step.kind === 'call' ? step.what : step.kind)),
      [[...cli, 'wait', container.id].join(' '), [...cli, 'logs', container.id].join(' ')]);
  });

  it('creates the container with the workload the runner hands it as its command', () => {
    const [step] = dockerCliSteps(cli, DEFAULT_LIMITS, '/scratch').create({ ...container, workloadArgv: ['/bin/sh', '/task/grade-c/run'] });
    assert.deepEqual(step?.kind === 'run' ? step.argv.slice(-2) : [], ['/bin/sh', '/task/grade-c/run']);
  });

  it('uses the client installed with dockerd, not a foreign docker earlier in PATH', () => {
    const files = new Set(['/usr/sbin/dockerd', '/usr/bin/docker', '/usr/local/bin/docker']);
    const binaries = { dockerd: '/usr/sbin/dockerd', docker: '/usr/local/bin/docker' };
    assert.equal(findDockerClient(binaries, (file) => files.has(file)), '/usr/bin/docker');
    assert.equal(findDockerClient(binaries, (file) => file !== '/usr/bin/docker' && files.has(file)), '/usr/local/bin/docker');
    assert.equal(findDockerClient({ dockerd: '/opt/d/bin/dockerd', docker: null }, (file) => file === '/opt/d/bin/docker'), '/opt/d/bin/docker');
  });

  it('describes each command, with the limits', () => {
    const phases = describeDockerCliPhases('vfs');
    assert.match(phases.create, /^docker --config STATE\/cli -H unix:\/\/SOCKET create --name ID --network none --memory 268435456b --memory-swap 268435456b --pids-limit 256 --cpus 1 crbench\/IMAGE:latest WORKLOAD/);
    assert.match(phases.create, /--storage-driver vfs/);
    assert.match(phases.execute, /wait ID .* logs ID/);
    assert.match(phases.stop, /stop -t 0 ID/);
    assert.match(phases.clean, /rm -f -v ID/);
  });
});

describe('cliExecuteSteps()', () => {
  let dir: string;
  let fake: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-cli-'));
    fake = path.join(dir, 'fake-docker');
    // A stand-in for `docker`/`podman`: wait prints an exit code, logs prints the output.
    writeFileSync(fake, [
      '#!/bin/sh',
      'for last; do :; done',
      'case " $* " in',
      '  *" wait "*) [ "$last" = tiny-noop-c1-broken ] && { echo "Error: no container named broken" >&2; exit 125; }; echo 3 ;;',
      '  *" logs "*) printf "graded\\n"; printf "warning\\n" >&2 ;;',
      'esac',
    ].join('\n'));
    chmodSync(fake, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('logs the wait as it ran and ends with the workload\'s record: wait\'s exit code, logs\' output', async () => {
    const records = await runCalls(cliExecuteSteps([fake, '-H', 'unix:///s'], container, ['/bin/true'], dir));
    assert.deepEqual(records[0]?.argv, [fake, '-H', 'unix:///s', 'wait', container.id]);
    assert.equal(records[0]?.stdout, '3\n');
    const last = records.at(-1);
    assert.deepEqual([last?.argv, last?.exitCode, last?.stdout, last?.stderr], [[`${container.id}:`, '/bin/true'], 3, 'graded\n', 'warning\n']);
  });

  it('rejects with what the CLI said when a command fails', async () => {
    await assert.rejects(runCalls(cliExecuteSteps([fake], { ...container, id: 'tiny-noop-c1-broken' }, ['/bin/true'], dir)), /exit 125: Error: no container named broken/);
  });

  it('passes extra wait flags before the container', () => {
    const [wait] = cliExecuteSteps(['podman'], container, ['/bin/true'], dir, ['--interval', '10ms']);
    assert.equal(wait?.kind === 'call' ? wait.what : '', `podman wait --interval 10ms ${container.id}`);
  });
});
