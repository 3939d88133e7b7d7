import { existsSync, readFileSync } from 'node:fs';
import { CrbenchError } from '../../../errors.ts';
import type { HostFacts } from '../../../types.ts';
import { AGENT_PORT_NAME } from '../../../../provision/vm/guest-agent.ts';

/**
 * The QEMU command line of one microVM: pure, from the paths and facts given.
 *
 * ```
 * qemu-system-x86_64 -M microvm -accel tcg|kvm -cpu … -m 256 -smp 1
 *   -nodefaults -no-user-config -nographic -nic none -no-reboot
 *   -kernel vmlinux (PVH entry) -initrd archive.cpio -append "<cut-down command line>"
 *   [-drive file=root.squashfs,readonly=on -device virtio-blk-device]       (a disk root)
 *   -chardev socket,path=agent.sock -device virtio-serial-device -device virtserialport
 *   -serial file:console.log   -qmp unix:qmp.sock   -S -daemonize -pidfile qemu.pid
 * ```
 * Choices measured on the reference host (TCG, median of the boots to the agent's answer):
 * - the virtio-mmio transport (`virtio-serial-device`, kernel `pci=off`) booted in 1.6 s where
 *   virtio-pci on `microvm,pcie=on` took 2.4 s, and needs one module (virtio_mmio) instead of three;
 * - the uncompressed vmlinux through its PVH entry, not the bzImage (about 2 s against 7 s);
 * - `-S`, `-daemonize` and `-pidfile`: `create` is a run step that returns once QEMU is up and
 *   paused; QEMU is then an orphan that the executor's subreaper adopts, and `launch` is timed
 *   from `cont`;
 * - `-no-reboot` with the kernel's `panic=-1`: the agent's `reboot -f` and a kernel panic
 *   both end QEMU, so no phase waits on a dead guest. microvm without ACPI cannot power off.
 */

export type Accelerator = 'tcg' | 'kvm';

/**
 * The accelerator of a cell: KVM where crbench's VM probe saw a guest run under it
 * (pipeline/host/probe-vm.ts), TCG otherwise. TCG results are emulated: the cell id, the
 * manifest and every label must carry the accelerator, and they are never ranked against
 * native runtimes.
 */
export function acceleratorFor(vm: HostFacts['vm']): Accelerator {
  return vm.usable ? 'kvm' : 'tcg';
}

/** x86's COMMAND_LINE_SIZE: the kernel truncates a longer command line. */
export const MAX_KERNEL_CMDLINE_BYTES = 2048;
/** What QEMU's microvm appends per virtio-mmio device (`virtio_mmio.device=512@0xfeb00e00:12`, about 40 bytes): room kept for four. */
const MICROVM_APPENDED_BYTES = 4 * 48;
/** sun_path holds 108 bytes, the terminating NUL included. */
export const MAX_UNIX_SOCKET_PATH_BYTES = 107;

export interface MicroVmPaths {
  qmpSocket: string;
  agentSocket: string;
  pidfile: string;
  /** The guest's serial console: the kernel's messages and the agent's complaints, for a failure's diagnosis. */
  consoleLog: string;
}

export interface MicroVmSpec {
  qemuBinary?: string;
  accelerator: Accelerator;
  /** Default: `qemu64` under TCG (a little faster than `max` here), `host` under KVM. */
  cpu?: string;
  memoryMiB: number;
  vcpus?: number;
  /** An uncompressed vmlinux with a PVH entry (or a bzImage, slower under TCG). */
  kernelPath: string;
  initramfsPath: string;
  /** A root filesystem image given read-only as /dev/vda (the guest puts a tmpfs overlay above it). */
  rootDiskPath?: string;
  kernelCmdline: string;
  paths: MicroVmPaths;
  /** Extra `-M microvm,…` options (`acpi=off`, say), for experiments. */
  machineOptions?: string[];
}

/** QEMU's option syntax: a comma inside a value is written twice. */
export function escapeOptionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

function checkSocketPath(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > MAX_UNIX_SOCKET_PATH_BYTES) {
    throw new CrbenchError('VM_SOCKET_PATH_TOO_LONG',
      `the VM's socket path ${socketPath} is ${Buffer.byteLength(socketPath)} bytes, more than a unix socket allows (${MAX_UNIX_SOCKET_PATH_BYTES}): use a shorter CRBENCH_WORK_DIR`, { exitCode: 2 });
  }
}

/** The argv that starts one microVM paused, daemonized, with its QMP monitor and agent port on unix sockets. */
export function microVmArgv(spec: MicroVmSpec): string[] {
  checkSocketPath(spec.paths.qmpSocket);
  checkSocketPath(spec.paths.agentSocket);
  const cmdlineBytes = Buffer.byteLength(spec.kernelCmdline);
  if (cmdlineBytes + MICROVM_APPENDED_BYTES >= MAX_KERNEL_CMDLINE_BYTES) {
    throw new CrbenchError('VM_CMDLINE_TOO_LONG',
      `the guest kernel's command line is ${cmdlineBytes} bytes; with what QEMU appends it must stay below ${MAX_KERNEL_CMDLINE_BYTES}: shorten the command given to the guest`, { exitCode: 2 });
  }
  const cpu = spec.cpu ?? (spec.accelerator === 'kvm' ? 'host' : 'qemu64');
  const disk = spec.rootDiskPath === undefined ? [] : [
    '-drive', `file=${escapeOptionValue(spec.rootDiskPath)},if=none,id=root,format=raw,readonly=on`,
    '-device', 'virtio-blk-device,drive=root',
  ];
  return [
    spec.qemuBinary ?? 'qemu-system-x86_64',
    '-M', ['microvm', ...(spec.machineOptions ?? [])].join(','),
    '-accel', spec.accelerator,
    '-cpu', cpu,
    '-m', String(spec.memoryMiB),
    '-smp', String(spec.vcpus ?? 1),
    '-nodefaults', '-no-user-config', '-nographic', '-nic', 'none', '-no-reboot',
    '-kernel', spec.kernelPath,
    '-initrd', spec.initramfsPath,
    '-append', spec.kernelCmdline,
    ...disk,
    '-chardev', `socket,id=agent,path=${escapeOptionValue(spec.paths.agentSocket)},server=on,wait=off`,
    '-device', 'virtio-serial-device',
    '-device', `virtserialport,chardev=agent,name=${AGENT_PORT_NAME}`,
    '-serial', `file:${escapeOptionValue(spec.paths.consoleLog)}`,
    '-qmp', `unix:${escapeOptionValue(spec.paths.qmpSocket)},server=on,wait=off`,
    '-S',
    '-daemonize', '-pidfile', spec.paths.pidfile,
  ];
}

export interface GuestCmdlineOptions {
  /** The host's TSC frequency: microvm hung in 4 boots of 7 without it (no HPET or PM timer to calibrate against). */
  tscKhz: number;
  /** The agent's per-VM settings (names without dots: the kernel hands those to PID 1 as its environment). */
  env?: Record<string, string>;
  /** Debian's kernel is HZ=250: loops per jiffy = kHz × 1000 / 250. */
  hz?: number;
}

/**
 * The guest kernel's command line, cut down for TCG (see HOST-NOTES): no calibration loops
 * (`tsc_early_khz`, `lpj`, `tsc=reliable`, `no_timer_check`), no probing of legacy hardware,
 * no mitigations or self-tests, and `panic=-1` so that a failed boot ends QEMU at once.
 */
export function guestKernelCmdline(options: GuestCmdlineOptions): string {
  if (!Number.isInteger(options.tscKhz) || options.tscKhz <= 0) throw new CrbenchError('VM_NO_TSC', `the TSC frequency must be a positive number of kHz, got ${options.tscKhz}`);
  const lpj = Math.round((options.tscKhz * 1000) / (options.hz ?? 250));
  const env = Object.entries(options.env ?? {}).map(([name, value]) => {
    if (!/^[A-Za-z_]\w*$/.test(name) || /[\s"]/.test(value)) {
      throw new CrbenchError('VM_BAD_CMDLINE', `kernel command line entry ${name}=${value} needs a plain name and a value without spaces or quotes`, { exitCode: 2 });
    }
    return `${name}=${value}`;
  });
  return [
    'console=ttyS0', 'quiet', 'panic=-1', 'rdinit=/init',
    `tsc_early_khz=${options.tscKhz}`, 'tsc=reliable', 'no_timer_check', `lpj=${lpj}`,
    'i8042.noaux', 'i8042.nomux', 'i8042.nopnp', 'i8042.dumbkbd', '8250.nr_uarts=1', 'pci=off',
    'mitigations=off', 'cryptomgr.notests', 'audit=0', 'nokaslr',
    ...env,
  ].join(' ');
}

/**
 * The host's TSC frequency in kHz: the kernel's own figure where it exports one
 * (/sys/devices/system/cpu/cpu0/tsc_freq_khz, absent on this host), else the first `cpu MHz`
 * of /proc/cpuinfo (2596.118 here, a constant_tsc CPU). Null when neither says.
 */
export function parseHostTscKhz(sources: { tscFreqKhz: string | null; cpuinfo: string | null }): number | null {
  const exported = Number(sources.tscFreqKhz?.trim());
  if (sources.tscFreqKhz !== null && Number.isInteger(exported) && exported > 0) return exported;
  const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(sources.cpuinfo ?? '')?.[1];
  return mhz === undefined ? null : Math.round(Number(mhz) * 1000);
}

/** parseHostTscKhz on this host's files; a clear error when neither exists. */
export function readHostTscKhz(root = '/'): number {
  const read = (file: string) => (existsSync(`${root}${file}`) ? readFileSync(`${root}${file}`, 'utf8') : null);
  const khz = parseHostTscKhz({ tscFreqKhz: read('sys/devices/system/cpu/cpu0/tsc_freq_khz'), cpuinfo: read('proc/cpuinfo') });
  if (khz === null) throw new CrbenchError('VM_NO_TSC', 'cannot tell the host\'s TSC frequency (no tsc_freq_khz in sysfs, no "cpu MHz" in /proc/cpuinfo): the microVM needs it to boot without hanging');
  return khz;
}
