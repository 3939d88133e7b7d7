import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { cleanUpCommand } from '../../../provision/daemons/clean-up.ts';
import { recordRuntimeState, releaseRuntimeState, type RuntimeState } from '../../../provision/runtime-state.ts';
import type { GuestRoot } from '../../../provision/vm/prepare-guest-root.ts';
import { GUEST_MEMORY_MIB } from '../../../provision/vm/prepare-guest-root.ts';
import { workPaths } from '../../../provision/work-dir.ts';
import { CrbenchError } from '../../errors.ts';
import { splitRuntime, type CommandRecord, type Lifecycle } from '../../types.ts';
import { run, type StepRecord } from '../executor/steps.ts';
import { commandModeEnv, newRequestId, parseRunAnswer, type AgentRequest } from './qemu/agent-protocol.ts';
import { cleanSteps, createSteps, executeSteps, launchSteps, microVmPaths, stopSteps, type MicroVmHandle } from './qemu/microvm-steps.ts';
import { guestKernelCmdline, microVmArgv, readHostTscKhz, type Accelerator } from './qemu/qemu-argv.ts';
import { readQemuPid, readQemuRssBytes } from './qemu/qemu-process.ts';
import type { ContainerPlan, ContainerSpec, PhaseTexts, RuntimeAdapter, RuntimeGroup } from './runtime-adapter.ts';

/**
 * A QEMU microVM per container, driven through the same five phases (pipeline/run/runtimes/qemu/
 * and provision/vm/ hold the pieces):
 *   import   provision/vm/prepare-guest-root.ts: Debian's guest kernel (downloaded and unpacked,
 *            never installed) and the image as an initramfs (`initramfs`: the whole root in the
 *            guest's RAM, a deep copy per VM) or a read-only squashfs disk under a tmpfs overlay
 *            in the guest (`disk-overlay`: copy-on-write)
 *   create   qemu-system-x86_64 -M microvm … -S -daemonize: QEMU up and paused
 *   launch   QMP `cont`; exec: the guest agent's answer to a ping (the guest has booted)
 *   execute  the workload through the agent (exec), or the answer of the workload the guest's
 *            init started at boot (command: the boot is in execute, as for a container's process)
 *   stop     exec: the agent powers the guest off; both: until QEMU has exited
 *   clean    the VM's folder removed
 * Limits: 256 MiB of guest RAM, the pids limit inside the guest (a cgroup the agent makes), no
 * NIC at all. The runtime value carries the accelerator (`qemu-microvm+tcg`, `+kvm`): under TCG
 * every number is emulated, never comparable with a native runtime.
 */

export const QEMU_STORAGE_DRIVERS = ['initramfs', 'disk-overlay'] as const;

const PREPARE_SCRIPT = fileURLToPath(new URL('../../../provision/vm/prepare-guest-root.ts', import.meta.url));

/** The accelerator a `qemu-microvm+tcg` value names (tcg when it names none). */
export function acceleratorOf(runtime: string): Accelerator {
  return splitRuntime(runtime).oci === 'kvm' ? 'kvm' : 'tcg';
}

/** A VM's folder: short (its sockets' paths must fit in 107 bytes), below the work directory's namespaces folder. */
export function vmRootOf(workDir: string, groupId: string): string {
  return path.join(workPaths(workDir).namespaces, `vm-${createHash('sha256').update(groupId).digest('hex').slice(0, 8)}`);
}

export function vmDirOf(workDir: string, groupId: string, containerId: string): string {
  return path.join(vmRootOf(workDir, groupId), createHash('sha256').update(containerId).digest('hex').slice(0, 12));
}

/** The run step of an import: the guest's kernel and root built (or found in the cache) in a process of its own. */
export function importStep(image: string, tarballPath: string, driver: string, cacheDir: string, scratchDir: string, out: string) {
  const tsx = createRequire(import.meta.url).resolve('tsx');
  return run('vm: kernel and root', [process.execPath, '--import', `file://${tsx}`, PREPARE_SCRIPT, image, tarballPath, driver === 'initramfs' ? 'initramfs' : 'disk', cacheDir, scratchDir, out]);
}

export function describeMicroVmPhases(storageDriver: string, lifecycle: Lifecycle, accelerator: Accelerator): PhaseTexts {
  const root = storageDriver === 'initramfs' ? 'the image as an initramfs (the whole root in guest RAM)' : 'a read-only squashfs of the image (virtio-blk) under a tmpfs overlay in the guest';
  const create = `qemu-system-x86_64 -M microvm -accel ${accelerator} -m ${GUEST_MEMORY_MIB} -nic none -S -daemonize, Debian's kernel (PVH vmlinux), ${root}: QEMU up and paused`;
  if (lifecycle === 'command') {
    return {
      create: `${create}; the guest's init is told the workload on the kernel command line`,
      launch: 'QMP cont: the guest boots',
      execute: 'until the guest agent answers with the workload\'s output and exit code: the boot, then the workload, which the guest\'s init started',
      stop: 'until QEMU has exited (the guest powered itself off after the workload)',
      clean: 'rm -rf the VM\'s folder',
    };
  }
  return {
    create,
    launch: 'QMP cont, then the guest agent\'s answer to a ping on its virtio-serial port: the guest has booted',
    execute: 'the workload through the guest agent (busybox sh as the guest\'s init), its output and exit code framed on the port',
    stop: 'the agent powers the guest off; until QEMU has exited',
    clean: 'rm -rf the VM\'s folder',
  };
}

export const qemuMicrovm: RuntimeAdapter = {
  name: 'qemu-microvm',
  versionArgv: ['qemu-system-x86_64', '--version'],
  describePhases: (storageDriver, lifecycle, runtime) => describeMicroVmPhases(storageDriver, lifecycle, acceleratorOf(runtime)),
  async openGroup(context): Promise<RuntimeGroup> {
    const accelerator = acceleratorOf(context.runtime);
    if (accelerator === 'kvm' && !context.host.vm.usable) throw new CrbenchError('NO_KVM', `qemu-microvm+kvm needs a usable KVM: ${context.host.vm.reason}`);
    const vmRoot = vmRootOf(context.workDir, context.groupId);
    const rootsDir = path.join(context.mountpoint, 'vm-roots');
    mkdirSync(vmRoot, { recursive: true });
    mkdirSync(rootsDir, { recursive: true });
    // After a crash, teardown kills every QEMU whose command line names a VM folder, then removes them.
    const state: RuntimeState = {
      groupId: context.groupId, runtime: 'qemu-microvm', commandPrefix: [], stateRoot: vmRoot, namespaceFile: null,
      teardownCommands: [cleanUpCommand({ kind: 'leftovers', workDir: context.workDir, stateDir: vmRoot, cgroupParent: '', processRoots: [vmRoot], mountRoots: [vmRoot], createdHostPaths: [] })],
    };
    recordRuntimeState(context.workDir, state);
    const tscKhz = readHostTscKhz();
    const cacheDir = process.env['CRBENCH_CACHE_DIR'] ?? path.join(workPaths(context.workDir).cache, 'images');
    const rootFile = (image: string) => path.join(rootsDir, `${image}.json`);
    const workarounds = accelerator === 'tcg' ? [`no usable KVM here (${context.host.vm.reason}): every microVM ran under TCG, QEMU's emulator; its numbers are emulated and not comparable with the native runtimes'`] : [];
    return {
      workarounds,
      importImage: (image, tarballPath) => [importStep(image, tarballPath, context.storageDriver, cacheDir, workPaths(context.workDir).scratch, rootFile(image))],
      container(c: ContainerSpec): ContainerPlan {
        const dir = vmDirOf(context.workDir, context.groupId, c.id);
        const paths = microVmPaths(dir);
        const request: AgentRequest = { id: newRequestId(), argv: c.workloadArgv };
        let vm: MicroVmHandle | undefined;
        let pid: number | null = null;
        let rssBytes: number | null = null;
        const handle = (): MicroVmHandle => {
          if (vm === undefined) throw new Error('the VM was not prepared');
          return vm;
        };
        return {
          prepare() {
            const root = JSON.parse(readFileSync(rootFile(c.image), 'utf8')) as GuestRoot;
            mkdirSync(dir, { recursive: true });
            const env = { CRBENCH_PIDS_MAX: String(context.limits.pids), ...(c.lifecycle === 'command' ? commandModeEnv(request) : { CRBENCH_MODE: 'exec' }) };
            const argv = microVmArgv({
              accelerator, memoryMiB: GUEST_MEMORY_MIB, kernelPath: root.kernel.bootPath, initramfsPath: root.initramfsPath,
              ...(root.rootDiskPath !== undefined ? { rootDiskPath: root.rootDiskPath } : {}), kernelCmdline: guestKernelCmdline({ tscKhz, env }), paths,
            });
            vm = { dir, paths, argv, lifecycle: c.lifecycle };
          },
          create: () => createSteps(handle()),
          launch: () => launchSteps(handle()),
          execute: () => executeSteps(handle(), request),
          stop: () => stopSteps(handle(), pid ?? -1),
          clean: () => cleanSteps(handle()),
          after(phase) {
            if (phase === 'create') pid = readQemuPid(paths.pidfile);
            // QEMU's resident memory once the guest is ready: the VM's memory, as a daemon's is.
            if (phase === (c.lifecycle === 'exec' ? 'launch' : 'execute') && pid !== null) rssBytes = readQemuRssBytes(pid);
          },
          workloadRun: (records: readonly StepRecord[]): CommandRecord => {
            const answer = parseRunAnswer(records.at(-1)?.stdout ?? '', request.id);
            if (!answer.ok) throw new Error(answer.error);
            return { argv: [`${c.id}:`, ...c.workloadArgv], durationMs: records.at(-1)?.durationMs ?? 0, exitCode: answer.answer.exitCode, signal: null, stdout: answer.answer.stdout, stderr: answer.answer.stderr };
          },
          memoryCgroup: () => null,
          residentBytes: () => rssBytes,
          forceRemove: () => [
            ...(pid !== null ? [run('qemu: kill', ['kill', '-KILL', String(pid)]), { kind: 'wait-exit' as const, label: 'qemu: exit', pid }] : []),
            run('vm: rm -rf', ['rm', '-rf', '--', dir]),
          ],
        };
      },
      close: () => releaseRuntimeState(context.workDir, state),
    };
  },
};
