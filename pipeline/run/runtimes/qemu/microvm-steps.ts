import path from 'node:path';
import type { Lifecycle } from '../../../types.ts';
import type { ExchangeStep, RunStep, Step, WaitExitStep } from '../../executor/steps.ts';
import { pingExchange, powerOffExchange, runExchange, type AgentRequest, type ExchangeSpec } from './agent-protocol.ts';
import type { MicroVmPaths } from './qemu-argv.ts';
import { contExchange } from './qmp.ts';

/**
 * One microVM's five phases as executor steps: pure, for the runtime adapter to return.
 *
 * ```
 *            exec shape                                   command shape
 * create   run  qemu … -S -daemonize                      run  qemu … -S -daemonize (CRBENCH_MODE=command)
 * launch   exchange qmp: cont  ·  exchange agent: ping    exchange qmp: cont
 * execute  exchange agent: run → the framed answer        exchange agent: (nothing sent) → the framed answer
 * stop     exchange agent: poweroff  ·  wait-exit QEMU    wait-exit QEMU (the guest powered off by itself)
 * clean    run  rm -rf the VM's folder                    the same
 * ```
 * `create` returns once QEMU is up and paused (`-daemonize` after its sockets and pidfile
 * exist); QEMU's pid comes from the pidfile afterwards (readQemuPid, outside the clock), for
 * `stop`'s wait-exit. The execute step's output is the agent's frame: parseRunAnswer gives the
 * workload's stdout, stderr and exit code, which the workload's check then judges.
 *
 * In the command shape the guest starts the workload as soon as it has booted and its answer
 * waits in the guest (a virtio port's write blocks until a client connects), so launch is the
 * `cont` alone and execute holds the boot, as `docker start` returns before the container's
 * process has done anything. An exchange that waited for the greeting first would race the
 * workload's output: bytes after a marker are dropped by the executor.
 */

/** The fixed names of a VM's files in its folder (short: a unix socket path has 107 bytes). */
export function microVmPaths(dir: string): MicroVmPaths {
  return {
    qmpSocket: path.join(dir, 'qmp.sock'),
    agentSocket: path.join(dir, 'agent.sock'),
    pidfile: path.join(dir, 'qemu.pid'),
    consoleLog: path.join(dir, 'console.log'),
  };
}

export interface MicroVmHandle {
  /** The VM's own folder below the work directory: its sockets, pidfile and console log. */
  dir: string;
  paths: MicroVmPaths;
  /** From microVmArgv: QEMU paused and daemonized. */
  argv: string[];
  lifecycle: Lifecycle;
}

/** The id of the launch ping and of the stop request (one of each per VM, so fixed ids do). */
export const LAUNCH_ID = 'launch';
export const STOP_ID = 'stop';

function exchangeStep(label: string, socketPath: string, spec: ExchangeSpec): ExchangeStep {
  return { kind: 'exchange', label, socketPath, send: spec.send, until: spec.until };
}

export function createSteps(vm: MicroVmHandle): RunStep[] {
  return [{ kind: 'run', label: 'qemu: start paused', argv: vm.argv }];
}

export function launchSteps(vm: MicroVmHandle): ExchangeStep[] {
  const cont = exchangeStep('qmp: cont', vm.paths.qmpSocket, contExchange());
  return vm.lifecycle === 'exec' ? [cont, exchangeStep('agent: ready', vm.paths.agentSocket, pingExchange(LAUNCH_ID))] : [cont];
}

/** In the command shape, `request` must be the one given to commandModeEnv at create. */
export function executeSteps(vm: MicroVmHandle, request: AgentRequest): ExchangeStep[] {
  const spec = runExchange(request);
  return vm.lifecycle === 'exec'
    ? [exchangeStep('agent: run', vm.paths.agentSocket, spec)]
    : [exchangeStep('agent: answer', vm.paths.agentSocket, { send: '', until: spec.until })];
}

export function stopSteps(vm: MicroVmHandle, qemuPid: number): Step[] {
  const exited: WaitExitStep = { kind: 'wait-exit', label: 'qemu: exit', pid: qemuPid };
  return vm.lifecycle === 'exec' ? [exchangeStep('agent: power off', vm.paths.agentSocket, powerOffExchange(STOP_ID)), exited] : [exited];
}

export function cleanSteps(vm: MicroVmHandle): RunStep[] {
  return [{ kind: 'run', label: 'vm: rm -rf', argv: ['rm', '-rf', '--', vm.dir] }];
}
