import assert from 'node:assert/strict';
import { judgeQemuRun, probeVm, qemuProbeArgv, type QemuRun } from '../../pipeline/host/probe-vm.ts';

const QEMU = '/usr/bin/qemu-system-x86_64';
const run = (output: string, more: Partial<QemuRun> = {}): QemuRun => ({ output, exitCode: null, signal: 'SIGKILL', timedOut: false, ...more });

describe('judgeQemuRun()', () => {
  it('counts the firmware\'s banner on the serial console as a guest that ran', () => {
    const verdict = judgeQemuRun(QEMU, run('\u001bc\u001b[?7l\u001b[2J\u001b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)\n\n\niPXE (https://ipxe.org) 00:02.0 CA00 PCI2.10 PnP PMM+06FCAF60+06F0AF60 CA00\n'));
    assert.equal(verdict.usable, true);
    assert.match(verdict.reason, /booted its firmware \(SeaBIOS \(version\)/);
    assert.equal(judgeQemuRun(QEMU, run('Booting from Hard Disk...\nBoot failed: could not read the boot disk\n\nNo bootable device.\n')).usable, true);
  });

  it('quotes nested KVM\'s MSR failure (seen on this host) and says what VM runtimes need', () => {
    const verdict = judgeQemuRun(QEMU, run(
      'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x0\n' +
      'qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3201: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs\' failed.\n',
      { exitCode: null, signal: 'SIGABRT' },
    ));
    assert.equal(verdict.usable, false);
    assert.equal(verdict.reason, `${QEMU} -accel kvm could not run a guest: "failed to set MSR 0x10a to 0x0"; ` +
      'VM runtimes need a host where KVM can run guests: bare metal, or a hypervisor with working nested virtualisation');
  });

  it('reports a KVM module QEMU cannot reach', () => {
    const verdict = judgeQemuRun(QEMU, run('Could not access KVM kernel module: Permission denied\nqemu-system-x86_64: failed to initialize kvm: Permission denied\n', { exitCode: 1, signal: null }));
    assert.equal(verdict.usable, false);
    assert.match(verdict.reason, /could not run a guest: "Could not access KVM kernel module: Permission denied"/);
  });

  it('calls a silent guest until the deadline a hang (nested KVM with -cpu qemu64 does that)', () => {
    const verdict = judgeQemuRun(QEMU, run('', { timedOut: true }));
    assert.equal(verdict.usable, false);
    assert.match(verdict.reason, /started but its guest printed nothing in 20 s \(the vCPU hangs/);
  });

  it('reports any other early exit with QEMU\'s last line', () => {
    const verdict = judgeQemuRun(QEMU, run('qemu-system-x86_64: -machine q35: unsupported machine type\nUse -machine help to list supported machines\n', { exitCode: 1, signal: null }));
    assert.equal(verdict.usable, false);
    assert.match(verdict.reason, /exited with 1 before its guest printed anything: "Use -machine help to list supported machines"/);
    assert.match(judgeQemuRun(QEMU, run('', { spawnError: 'spawn timeout ENOENT' })).reason, /could not be started \(spawn timeout ENOENT\)/);
  });
});

describe('probeVm()', function () {
  this.timeout(60_000);

  it('starts a disk-less guest under a timeout, its firmware on the serial console', () => {
    assert.deepEqual(qemuProbeArgv(QEMU, 20), [
      'timeout', '-s', 'KILL', '20', QEMU, '-accel', 'kvm', '-machine', 'q35', '-cpu', 'host', '-m', '64', '-smp', '1',
      '-nographic', '-display', 'none', '-no-reboot', '-net', 'none',
    ]);
  });

  it('says when there is no /dev/kvm', async () => {
    const verdict = await probeVm({ kvmPath: '/nonexistent/kvm' });
    assert.equal(verdict.usable, false);
    assert.match(verdict.reason, /^\/nonexistent\/kvm does not exist: the kernel has no KVM/);
  });

  it('says that no monitor is installed to prove KVM, when none is', async () => {
    const verdict = await probeVm({ kvmPath: '/dev/null', findBinary: () => null });
    assert.deepEqual(verdict, { usable: false, reason: 'no VM monitor installed to prove KVM works (kata-runtime, firecracker, qemu-system-x86_64 all missing)' });
  });

  it('asks for QEMU when only kata-runtime or firecracker is there', async () => {
    const verdict = await probeVm({ kvmPath: '/dev/null', findBinary: (name) => (name === 'firecracker' ? '/usr/bin/firecracker' : null) });
    assert.equal(verdict.usable, false);
    assert.match(verdict.reason, /^firecracker installed, but crbench proves KVM .* qemu-system-x86_64, which is missing \(apt-get install qemu-system-x86\)$/);
  });

  it('judges what the started guest printed', async () => {
    const started: string[][] = [];
    const verdict = await probeVm({
      kvmPath: '/dev/null',
      findBinary: (name) => (name === 'qemu-system-x86_64' ? QEMU : null),
      runQemu: async (argv) => { started.push(argv); return run('qemu-system-x86_64: error: failed to set MSR 0x10a to 0x0\n'); },
    });
    assert.deepEqual(started, [qemuProbeArgv(QEMU)]);
    assert.equal(verdict.usable, false);
    assert.match(verdict.reason, /failed to set MSR 0x10a/);
  });

  // The real probe: on the hosts crbench runs on (HOST-NOTES.md) no guest can run.
  it('comes out unusable on this host, with a reason', async () => {
    const verdict = await probeVm();
    assert.equal(verdict.usable, false);
    assert.ok(verdict.reason.length > 20, verdict.reason);
  });
});
