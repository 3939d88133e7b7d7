import assert from 'node:assert/strict';
import { cleanSteps, createSteps, executeSteps, launchSteps, microVmPaths, stopSteps, type MicroVmHandle } from '../../../../pipeline/run/runtimes/qemu/microvm-steps.ts';

const DIR = '/var/lib/crbench/vm/c1';
const vm = (lifecycle: 'exec' | 'command'): MicroVmHandle => ({ dir: DIR, paths: microVmPaths(DIR), argv: ['qemu-system-x86_64', '-S'], lifecycle });
const request = { id: 'w1', argv: ['/bin/true'] };
const shape = (steps: { kind: string; label: string }[]) => steps.map((step) => `${step.kind} ${step.label}`);

describe('microVmPaths()', () => {
  it('names the sockets, pidfile and console log inside the VM\'s folder', () => {
    assert.deepEqual(microVmPaths(DIR), { qmpSocket: `${DIR}/qmp.sock`, agentSocket: `${DIR}/agent.sock`, pidfile: `${DIR}/qemu.pid`, consoleLog: `${DIR}/console.log` });
  });
});

describe('the microVM\'s phase steps', () => {
  it('in the exec shape: start paused; cont then ping; run through the agent; power off then wait for QEMU; remove the folder', () => {
    assert.deepEqual(shape(createSteps(vm('exec'))), ['run qemu: start paused']);
    assert.deepEqual(shape(launchSteps(vm('exec'))), ['exchange qmp: cont', 'exchange agent: ready']);
    assert.deepEqual(shape(executeSteps(vm('exec'), request)), ['exchange agent: run']);
    assert.deepEqual(shape(stopSteps(vm('exec'), 4242)), ['exchange agent: power off', 'wait-exit qemu: exit']);
    assert.deepEqual(cleanSteps(vm('exec')), [{ kind: 'run', label: 'vm: rm -rf', argv: ['rm', '-rf', '--', DIR] }]);
  });

  it('in the command shape: cont alone; execute sends nothing and reads the answer; stop only waits', () => {
    assert.deepEqual(shape(launchSteps(vm('command'))), ['exchange qmp: cont']);
    const [answer] = executeSteps(vm('command'), request);
    assert.deepEqual([answer?.send, answer?.until, answer?.socketPath], ['', 'crbench-end w1\n', `${DIR}/agent.sock`]);
    assert.deepEqual(stopSteps(vm('command'), 4242), [{ kind: 'wait-exit', label: 'qemu: exit', pid: 4242 }]);
  });

  it('talks QMP on the QMP socket and the agent protocol on the agent\'s', () => {
    const [cont, ping] = launchSteps(vm('exec'));
    assert.equal(cont?.socketPath, `${DIR}/qmp.sock`);
    assert.match(cont?.send ?? '', /"execute":"cont"/);
    assert.deepEqual([ping?.socketPath, ping?.send, ping?.until], [`${DIR}/agent.sock`, 'ping launch\n', 'crbench-pong launch\n']);
    assert.equal(createSteps(vm('exec'))[0]?.argv[0], 'qemu-system-x86_64');
  });
});
