import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acceleratorOf, describeMicroVmPhases, qemuMicrovm, vmDirOf } from '../../../pipeline/run/runtimes/qemu-microvm.ts';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import { listRuntimeStates } from '../../../provision/runtime-state.ts';
import type { HostFacts } from '../../../pipeline/types.ts';
import { containerSpec } from './step-fixtures.ts';

describe('qemu-microvm adapter', () => {
  let workDir: string;
  beforeEach(() => { workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-vm-')); });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('reads the accelerator from the runtime value, tcg unless it says kvm', () => {
    assert.equal(acceleratorOf('qemu-microvm+kvm'), 'kvm');
    assert.equal(acceleratorOf('qemu-microvm+tcg'), 'tcg');
  });

  it('keeps a VM folder short enough for its unix sockets, one per group and container', () => {
    const dir = vmDirOf('/var/lib/crbench', 'qemu-microvm+tcg.disk-overlay.ext4', 'grader-grade-python-command-c1-b0-r10');
    assert.ok(Buffer.byteLength(path.join(dir, 'agent.sock')) < 107, dir);
    assert.notEqual(dir, vmDirOf('/var/lib/crbench', 'qemu-microvm+tcg.disk-overlay.ext4', 'grader-grade-python-command-c1-b0-r11'));
  });

  it('says in each phase text what the phase holds, per shape, with the accelerator', () => {
    const exec = describeMicroVmPhases('disk-overlay', 'exec', 'tcg');
    assert.match(exec.create, /-accel tcg .*squashfs/);
    assert.match(exec.launch, /QMP cont, then the guest agent's answer/);
    const command = describeMicroVmPhases('initramfs', 'command', 'tcg');
    assert.match(command.execute, /the boot, then the workload/);
  });

  it('builds the five phases from the guest root the import wrote: QEMU paused, cont and ping, the agent, power off, rm', async () => {
    const mountpoint = path.join(workDir, 'mnt');
    mkdirSync(path.join(mountpoint, 'vm-roots'), { recursive: true });
    const host = { cgroupMode: 'v2', binaries: {}, vm: { usable: false, reason: 'no KVM in a unit test' } } as unknown as HostFacts;
    const group = await qemuMicrovm.openGroup({ groupId: 'g', workDir, mountpoint, poolName: 'p', host, runtime: 'qemu-microvm+tcg', storageDriver: 'disk-overlay', limits: DEFAULT_LIMITS });
    assert.equal(listRuntimeStates(workDir).length, 1, 'recorded for teardown before any VM starts');
    assert.match(group.workarounds[0] ?? '', /TCG/);
    const [importStep] = group.importImage('grader', '/cache/grader.tar');
    assert.ok(importStep?.kind === 'run' && importStep.argv.includes('/cache/grader.tar') && importStep.argv.includes('disk'));
    writeFileSync(path.join(mountpoint, 'vm-roots', 'grader.json'), JSON.stringify({ kernel: { bootPath: '/cache/vmlinux' }, initramfsPath: '/cache/boot.cpio', rootDiskPath: '/cache/grader.squashfs', rootBytes: 1 }));
    const plan = group.container(containerSpec('exec', { image: 'grader' }));
    plan.prepare?.();
    const [create] = plan.create();
    assert.ok(create?.kind === 'run');
    assert.deepEqual([create.argv.includes('-S'), create.argv.includes('-daemonize'), create.argv[create.argv.indexOf('-accel') + 1], create.argv[create.argv.indexOf('-m') + 1]], [true, true, 'tcg', '256']);
    assert.ok(create.argv.some((arg) => arg.includes('/cache/grader.squashfs')));
    assert.deepEqual(plan.launch().map((step) => step.label), ['qmp: cont', 'agent: ready']);
    assert.deepEqual(plan.execute().map((step) => step.label), ['agent: run']);
    assert.deepEqual(plan.clean().map((step) => step.label), ['vm: rm -rf']);
    assert.throws(() => plan.workloadRun([{ label: 'agent: run', kind: 'exchange', what: [], startMs: 0, endMs: 1, durationMs: 1, exitCode: null, signal: null, stdout: 'garbage', stderr: '' }]), /no answer/);
    await group.close();
    assert.deepEqual(listRuntimeStates(workDir), []);
  });

  it('refuses kvm on a host whose probe saw no guest run', async () => {
    const host = { vm: { usable: false, reason: 'failed to set MSR' } } as unknown as HostFacts;
    await assert.rejects(qemuMicrovm.openGroup({ groupId: 'g', workDir, mountpoint: workDir, poolName: 'p', host, runtime: 'qemu-microvm+kvm', storageDriver: 'disk-overlay', limits: DEFAULT_LIMITS }), /needs a usable KVM/);
  });
});
