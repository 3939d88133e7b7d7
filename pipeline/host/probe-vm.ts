import { spawn } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import type { HostFacts } from '../types.ts';
import { findBinary } from './probe-host.ts';

/**
 * Whether a VM runtime (Kata, Firecracker, a QEMU microVM) could run here. /dev/kvm existing
 * proves little: under nested virtualisation a VM fd can be created while no guest can
 * run. So a guest is started: QEMU with `-accel kvm`, no disk, its firmware (SeaBIOS)
 * writing to the serial console (`-nographic`). The banner on the console proves a vCPU
 * ran guest code under KVM; a KVM error, an early exit or silence until the timeout
 * proves it did not.
 *
 * ```
 *   /dev/kvm ── exists? ── opens read-write? ── a VM monitor installed? ── qemu boots firmware? ── usable
 *        │no          │no                  │no                       │no
 *        ▼            ▼                    ▼                         ▼
 *     unusable, each with the reason and what to do
 * ```
 */

/** What one guest start produced. */
export interface QemuRun {
  output: string;
  exitCode: number | null;
  signal: string | null;
  /** Killed at the deadline without having shown the firmware's banner. */
  timedOut: boolean;
  /** The spawn itself failed (ENOENT, EACCES…). */
  spawnError?: string;
}

export const QEMU_PROBE_TIMEOUT_S = 20;

/** Firmware output that can only come from guest code running on a vCPU. */
const GUEST_RAN = /SeaBIOS \(version|No bootable device|Booting from /;

/** QEMU's and KVM's ways of saying the guest cannot run, the first match quoted in the reason. */
const KVM_FAILURES = [
  /failed to set MSR 0x[0-9a-f]+[^\n]*/i,
  /Could not access KVM kernel module[^\n]*/,
  /failed to initialize kvm[^\n]*/i,
  /KVM internal error[^\n]*/,
  /kvm run failed[^\n]*/i,
  /error: kvm[^\n]*/i,
  /KVM is not supported[^\n]*/i,
  /invalid accelerator kvm[^\n]*/i,
  /-accel kvm: [^\n]*/,
];

/** A guest with nothing to boot: SeaBIOS prints its banner on the serial console and finds no bootable device. */
export function qemuProbeArgv(qemu: string, timeoutS = QEMU_PROBE_TIMEOUT_S): string[] {
  return [
    'timeout', '-s', 'KILL', String(timeoutS),
    qemu, '-accel', 'kvm', '-machine', 'q35', '-cpu', 'host', '-m', '64', '-smp', '1',
    '-nographic', '-display', 'none', '-no-reboot', '-net', 'none',
  ];
}

const NESTED_HINT = 'VM runtimes need a host where KVM can run guests: bare metal, or a hypervisor with working nested virtualisation';

/** Judges one QEMU run; pure, so the tests feed it the outputs seen on real hosts. */
export function judgeQemuRun(qemu: string, run: QemuRun): HostFacts['vm'] {
  if (run.spawnError !== undefined) return { usable: false, reason: `${qemu} could not be started (${run.spawnError})` };
  if (GUEST_RAN.test(run.output)) {
    return { usable: true, reason: `a KVM guest ran: ${qemu} -accel kvm booted its firmware (${GUEST_RAN.exec(run.output)?.[0]?.trim()})` };
  }
  for (const pattern of KVM_FAILURES) {
    const said = pattern.exec(run.output)?.[0]?.trim();
    if (said !== undefined) return { usable: false, reason: `${qemu} -accel kvm could not run a guest: "${said}"; ${NESTED_HINT}` };
  }
  if (run.timedOut) {
    return { usable: false, reason: `${qemu} -accel kvm started but its guest printed nothing in ${QEMU_PROBE_TIMEOUT_S} s (the vCPU hangs, as under broken nested KVM); ${NESTED_HINT}` };
  }
  const last = run.output.trim().split('\n').at(-1)?.trim() ?? '';
  const how = run.signal !== null ? `was killed by ${run.signal}` : `exited with ${run.exitCode}`;
  return { usable: false, reason: `${qemu} -accel kvm ${how} before its guest printed anything${last !== '' ? `: "${last}"` : ''}; ${NESTED_HINT}` };
}

/** Starts the probe guest; resolves as soon as the firmware shows up, or QEMU exits, or the deadline passes. */
export function runQemuProbe(argv: string[], timeoutMs = QEMU_PROBE_TIMEOUT_S * 1000 + 2000): Promise<QemuRun> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    let settled = false;
    // A process group of its own: killing it ends `timeout` and QEMU together.
    const child = spawn(file ?? 'timeout', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killAll = (): void => {
      try { process.kill(-(child.pid ?? 0), 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    };
    const settle = (run: QemuRun): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(run);
    };
    const timer = setTimeout(() => { timedOut = true; killAll(); }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (GUEST_RAN.test(output)) killAll();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => settle({ output, exitCode: null, signal: null, timedOut: false, spawnError: error.message }));
    child.once('close', (exitCode, signal) => {
      // `timeout -s KILL` ends QEMU itself at the deadline: that is a timeout too.
      settle({ output, exitCode, signal, timedOut: timedOut || (signal === null && exitCode === 137 && !GUEST_RAN.test(output)) });
    });
  });
}

export interface VmProbeOptions {
  kvmPath?: string;
  findBinary?: (name: string) => string | null;
  runQemu?: (argv: string[]) => Promise<QemuRun>;
}

/** The monitors that could prove KVM; QEMU also sits where Kata installs its own. */
function findQemu(find: (name: string) => string | null): string | null {
  return find('qemu-system-x86_64') ?? (existsSync('/opt/kata/bin/qemu-system-x86_64') ? '/opt/kata/bin/qemu-system-x86_64' : null);
}

/** Whether a VM runtime could run here, by starting a guest when a monitor exists, and why not. */
export async function probeVm(options: VmProbeOptions = {}): Promise<HostFacts['vm']> {
  const kvmPath = options.kvmPath ?? '/dev/kvm';
  const find = options.findBinary ?? ((name: string) => findBinary(name));
  if (!existsSync(kvmPath)) {
    return { usable: false, reason: `${kvmPath} does not exist: the kernel has no KVM (enable virtualisation in the firmware, or nested virtualisation on the hypervisor, and load kvm_intel or kvm_amd)` };
  }
  try {
    closeSync(openSync(kvmPath, constants.O_RDWR));
  } catch (error) {
    return { usable: false, reason: `${kvmPath} cannot be opened read-write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): run as root or add the user to the kvm group` };
  }
  const qemu = findQemu(find);
  if (qemu === null) {
    const others = ['kata-runtime', 'firecracker'].filter((name) => find(name) !== null);
    if (others.length === 0) {
      return { usable: false, reason: 'no VM monitor installed to prove KVM works (kata-runtime, firecracker, qemu-system-x86_64 all missing)' };
    }
    return { usable: false, reason: `${others.join(' and ')} installed, but crbench proves KVM by booting a guest's firmware with qemu-system-x86_64, which is missing (apt-get install qemu-system-x86)` };
  }
  const run = await (options.runQemu ?? runQemuProbe)(qemuProbeArgv(qemu));
  return judgeQemuRun(qemu, run);
}
