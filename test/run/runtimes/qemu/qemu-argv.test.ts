import assert from 'node:assert/strict';
import { CrbenchError } from '../../../../pipeline/errors.ts';
import { judgeQemuRun } from '../../../../pipeline/host/probe-vm.ts';
import { acceleratorFor, escapeOptionValue, guestKernelCmdline, microVmArgv, parseHostTscKhz, type MicroVmSpec } from '../../../../pipeline/run/runtimes/qemu/qemu-argv.ts';

const VM = '/var/lib/crbench/vm/c1';
const spec: MicroVmSpec = {
  accelerator: 'tcg',
  memoryMiB: 256,
  kernelPath: '/cache/guest-kernel-k/vmlinux',
  initramfsPath: '/cache/initramfs-tiny-k.cpio',
  kernelCmdline: 'console=ttyS0 quiet',
  paths: { qmpSocket: `${VM}/qmp.sock`, agentSocket: `${VM}/agent.sock`, pidfile: `${VM}/qemu.pid`, consoleLog: `${VM}/console.log` },
};

/** The value after `flag` (the first occurrence). */
const after = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];
/** Every value given with `flag`. */
const all = (argv: string[], flag: string) => argv.flatMap((arg, index) => (arg === flag ? [argv[index + 1]] : []));

describe('microVmArgv()', () => {
  it('starts a paused, daemonized microvm under TCG with 256 MiB, one vCPU and no NIC', () => {
    const argv = microVmArgv(spec);
    assert.equal(argv[0], 'qemu-system-x86_64');
    assert.deepEqual([after(argv, '-M'), after(argv, '-accel'), after(argv, '-cpu'), after(argv, '-m'), after(argv, '-smp')], ['microvm', 'tcg', 'qemu64', '256', '1']);
    for (const flag of ['-nodefaults', '-no-user-config', '-nographic', '-no-reboot', '-S', '-daemonize']) assert.ok(argv.includes(flag), flag);
    assert.equal(after(argv, '-nic'), 'none');
    assert.equal(after(argv, '-pidfile'), `${VM}/qemu.pid`);
  });

  it('boots the kernel with the initramfs and the command line given', () => {
    const argv = microVmArgv(spec);
    assert.deepEqual([after(argv, '-kernel'), after(argv, '-initrd'), after(argv, '-append')], [spec.kernelPath, spec.initramfsPath, 'console=ttyS0 quiet']);
  });

  it('puts QMP and the agent\'s virtio-serial port (mmio transport) on unix sockets, the console in a file', () => {
    const argv = microVmArgv(spec);
    assert.equal(after(argv, '-qmp'), `unix:${VM}/qmp.sock,server=on,wait=off`);
    assert.equal(after(argv, '-chardev'), `socket,id=agent,path=${VM}/agent.sock,server=on,wait=off`);
    assert.deepEqual(all(argv, '-device'), ['virtio-serial-device', 'virtserialport,chardev=agent,name=crbench.agent']);
    assert.equal(after(argv, '-serial'), `file:${VM}/console.log`);
  });

  it('adds the root disk read-only on virtio-blk when there is one', () => {
    const argv = microVmArgv({ ...spec, rootDiskPath: '/cache/rootdisk-grader-k.squashfs' });
    assert.equal(after(argv, '-drive'), 'file=/cache/rootdisk-grader-k.squashfs,if=none,id=root,format=raw,readonly=on');
    assert.ok(all(argv, '-device').includes('virtio-blk-device,drive=root'));
    assert.ok(!microVmArgv(spec).includes('-drive'));
  });

  it('takes the host CPU under KVM, and machine options when asked', () => {
    const argv = microVmArgv({ ...spec, accelerator: 'kvm', machineOptions: ['acpi=off'] });
    assert.deepEqual([after(argv, '-accel'), after(argv, '-cpu'), after(argv, '-M')], ['kvm', 'host', 'microvm,acpi=off']);
  });

  it('doubles commas in paths inside option lists', () => {
    assert.equal(escapeOptionValue('/a,b/c'), '/a,,b/c');
    const argv = microVmArgv({ ...spec, paths: { ...spec.paths, qmpSocket: '/w,x/qmp.sock' } });
    assert.equal(after(argv, '-qmp'), 'unix:/w,,x/qmp.sock,server=on,wait=off');
  });

  it('refuses a socket path longer than a unix socket allows, and an oversized command line (exit 2)', () => {
    const long = `/var/tmp/${'x'.repeat(100)}/agent.sock`;
    assert.throws(() => microVmArgv({ ...spec, paths: { ...spec.paths, agentSocket: long } }),
      (error: unknown) => error instanceof CrbenchError && error.code === 'VM_SOCKET_PATH_TOO_LONG' && error.exitCode === 2);
    assert.throws(() => microVmArgv({ ...spec, kernelCmdline: 'x'.repeat(1900) }),
      (error: unknown) => error instanceof CrbenchError && error.code === 'VM_CMDLINE_TOO_LONG');
  });
});

describe('guestKernelCmdline()', () => {
  it('pins the TSC and loops per jiffy (HZ 250) from the host\'s kHz, and cuts probing', () => {
    const cmdline = guestKernelCmdline({ tscKhz: 2_596_118 }).split(' ');
    for (const word of ['tsc_early_khz=2596118', 'lpj=10384472', 'tsc=reliable', 'no_timer_check', 'pci=off', 'panic=-1', 'quiet', 'console=ttyS0', 'mitigations=off', 'nokaslr']) {
      assert.ok(cmdline.includes(word), word);
    }
  });

  it('appends the agent\'s settings, and refuses values the kernel would split', () => {
    assert.match(guestKernelCmdline({ tscKhz: 1000, env: { CRBENCH_PIDS_MAX: '256', CRBENCH_MODE: 'exec' } }), / CRBENCH_PIDS_MAX=256 CRBENCH_MODE=exec$/);
    assert.throws(() => guestKernelCmdline({ tscKhz: 1000, env: { CRBENCH_CMD: 'a b' } }), (error: unknown) => error instanceof CrbenchError && error.code === 'VM_BAD_CMDLINE');
    assert.throws(() => guestKernelCmdline({ tscKhz: 1000, env: { 'crbench.mode': 'x' } }), /plain name/);
    assert.throws(() => guestKernelCmdline({ tscKhz: 0 }), (error: unknown) => error instanceof CrbenchError && error.code === 'VM_NO_TSC');
  });
});

describe('parseHostTscKhz()', () => {
  const CPUINFO = 'processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.118\ncache size\t: 512 KB\n';

  it('prefers the kernel\'s tsc_freq_khz', () => {
    assert.equal(parseHostTscKhz({ tscFreqKhz: '2596000\n', cpuinfo: CPUINFO }), 2_596_000);
  });

  it('falls back to /proc/cpuinfo\'s cpu MHz, as on the reference host', () => {
    assert.equal(parseHostTscKhz({ tscFreqKhz: null, cpuinfo: CPUINFO }), 2_596_118);
  });

  it('returns null when neither says', () => {
    assert.equal(parseHostTscKhz({ tscFreqKhz: null, cpuinfo: 'processor\t: 0\n' }), null);
  });
});

describe('acceleratorFor()', () => {
  const QEMU = '/usr/bin/qemu-system-x86_64';
  const probed = (output: string, signal: string | null) => judgeQemuRun(QEMU, { output, exitCode: null, signal, timedOut: false });

  it('takes KVM where the probe saw the firmware run under it', () => {
    assert.equal(acceleratorFor(probed('SeaBIOS (version 1.16.2-debian-1.16.2-1)\n', 'SIGKILL')), 'kvm');
  });

  it('falls back to TCG on this host, where nested KVM fails to set an MSR', () => {
    assert.equal(acceleratorFor(probed('qemu-system-x86_64: error: failed to set MSR 0x10a to 0x0\n', 'SIGABRT')), 'tcg');
  });
});
