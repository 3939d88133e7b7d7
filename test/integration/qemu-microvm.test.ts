import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { commandModeEnv, parseRunAnswer, pingExchange, powerOffExchange, runExchange, type AgentAnswer, type ExchangeSpec } from '../../pipeline/run/runtimes/qemu/agent-protocol.ts';
import { guestKernelCmdline, microVmArgv, readHostTscKhz, type MicroVmPaths } from '../../pipeline/run/runtimes/qemu/qemu-argv.ts';
import { isQemuAlive, readQemuPid, readQemuRssBytes } from '../../pipeline/run/runtimes/qemu/qemu-process.ts';
import { checkQmpAnswers, contExchange } from '../../pipeline/run/runtimes/qemu/qmp.ts';
import { cleanSteps, createSteps, executeSteps, launchSteps, microVmPaths, stopSteps, type MicroVmHandle } from '../../pipeline/run/runtimes/qemu/microvm-steps.ts';
import { openNativeExecutor } from '../../pipeline/run/executor/native-executor.ts';
import { stepTimings, type Step } from '../../pipeline/run/executor/steps.ts';
import type { Lifecycle } from '../../pipeline/types.ts';
import { DEFAULT_LIMITS } from '../../pipeline/run/limits.ts';
import { WORKLOADS } from '../../pipeline/run/workloads/index.ts';
import type { CommandRecord } from '../../pipeline/types.ts';
import { IMAGES, type BuiltImage } from '../../provision/images/index.ts';
import { provisionGuestKernel, type GuestKernel } from '../../provision/vm/guest-kernel.ts';
import { buildBootInitramfs, buildImageInitramfs, copyRootInfeasibility, type BuiltArchive } from '../../provision/vm/initramfs.ts';
import { buildRootDisk, type BuiltRootDisk } from '../../provision/vm/root-disk.ts';
import { leftovers } from './host-leaks.ts';

/**
 * The microVM's pieces, end to end on this host, with plain child_process and sockets (the
 * executor is not wired to them yet): QEMU started paused and daemonized, QMP `cont`, the
 * agent's ready answer, commands through the agent, power-off until QEMU has exited. The tiny
 * image boots as an initramfs (the copy strategy); the grader image as a read-only squashfs
 * disk under a tmpfs overlay (copy-on-write), since it cannot fit in the guest's RAM.
 *
 * Images, the guest kernel and the archives are cached where the workloads test keeps its
 * images (they outlive the test: the grader image takes a debootstrap); everything a VM makes
 * lives in the test's work directory. Prints the measurements the report quotes; asserts none.
 */
const CACHE = process.env['CRBENCH_TEST_IMAGE_CACHE'] ?? '/var/cache/crbench-test-images';
const MEMORY_MIB = DEFAULT_LIMITS.memoryBytes / (1024 * 1024);
const BOOTS = 5;
const ROUND_TRIPS = 20;
const EXCHANGE_TIMEOUT_MS = 120_000;

/** One exchange step as the executor runs it: connect, write, read until the text arrives (or the peer closes). */
function exchange(socketPath: string, spec: ExchangeSpec, timeoutMs = EXCHANGE_TIMEOUT_MS): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const startMs = performance.now();
    let text = '';
    const socket = net.connect(socketPath, () => socket.write(spec.send));
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no '${spec.until.trim()}' on ${socketPath} within ${timeoutMs} ms; read ${JSON.stringify(text.slice(-300))}`)); }, timeoutMs);
    const finish = () => { clearTimeout(timer); socket.destroy(); resolve({ text, ms: performance.now() - startMs }); };
    socket.on('data', (chunk) => { text += chunk.toString('utf8'); if (text.includes(spec.until)) finish(); });
    socket.on('close', finish);
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

interface Vm {
  name: string;
  dir: string;
  paths: MicroVmPaths;
  pid: number;
}

/** Host folders a VM runtime could litter, and the names that would be ours (other tests run beside this one). */
const HOST_DIRS = ['/tmp', '/var/tmp', '/run', '/dev/shm', '/var/lib'];
const OURS = /qemu|vmlinux|initramfs|rootdisk|guest-kernel|\.sock$|crbench-vm/;
const hostEntries = () => HOST_DIRS.flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((name) => path.join(dir, name)) : []));

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a QEMU microVM under TCG: QMP, the guest agent, tiny as initramfs and grader on a disk (root)', function () {
  this.timeout(1_800_000);
  let workDir: string;
  let kernel: GuestKernel;
  const images: Record<string, BuiltImage> = {};
  let tinyInitramfs: BuiltArchive;
  let bootInitramfs: BuiltArchive;
  let graderDisk: BuiltRootDisk;
  let tscKhz: number;
  const started: Vm[] = [];
  const measured: string[] = [];
  let vmCount = 0;
  let hostBefore: Set<string>;

  async function createVm(options: { initramfs: BuiltArchive; disk?: BuiltRootDisk; env?: Record<string, string> }): Promise<Vm & { createMs: number }> {
    const name = `vm${++vmCount}`;
    const dir = path.join(workDir, 'vms', name);
    mkdirSync(dir, { recursive: true });
    const paths = { qmpSocket: path.join(dir, 'qmp.sock'), agentSocket: path.join(dir, 'agent.sock'), pidfile: path.join(dir, 'qemu.pid'), consoleLog: path.join(dir, 'console.log') };
    const argv = microVmArgv({
      accelerator: 'tcg', memoryMiB: MEMORY_MIB, kernelPath: kernel.bootPath, initramfsPath: options.initramfs.path, rootDiskPath: options.disk?.path, paths,
      kernelCmdline: guestKernelCmdline({ tscKhz, env: { CRBENCH_PIDS_MAX: String(DEFAULT_LIMITS.pids), CRBENCH_MODE: 'exec', ...options.env } }),
    });
    const startMs = performance.now();
    const created = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
    const createMs = performance.now() - startMs;
    assert.equal(created.status, 0, `QEMU did not start: ${created.stderr}`);
    const vm = { name, dir, paths, pid: readQemuPid(paths.pidfile) };
    started.push(vm);
    return { ...vm, createMs };
  }

  /** QMP cont, then the agent's answer to a ping: the time from resuming the vCPU to a guest that serves. */
  async function launchVm(vm: Vm): Promise<{ launchMs: number; rssBytes: number | null }> {
    const startMs = performance.now();
    const cont = await exchange(vm.paths.qmpSocket, contExchange());
    assert.equal(checkQmpAnswers(cont.text), null);
    const ready = await exchange(vm.paths.agentSocket, pingExchange('launch'));
    const launchMs = performance.now() - startMs;
    assert.ok(ready.text.includes(pingExchange('launch').until), `${ready.text}\n${consoleOf(vm)}`);
    return { launchMs, rssBytes: readQemuRssBytes(vm.pid) };
  }

  async function executeVm(vm: Vm, argv: string[], id = `x${Math.random().toString(16).slice(2, 10)}`): Promise<AgentAnswer & { ms: number }> {
    const read = await exchange(vm.paths.agentSocket, runExchange({ id, argv }));
    const parsed = parseRunAnswer(read.text, id);
    assert.ok(parsed.ok, `${parsed.ok ? '' : parsed.error}\n${consoleOf(vm)}`);
    return { ...parsed.answer, ms: read.ms };
  }

  /** Power-off through the agent, then the wait for QEMU's exit (a zombie counts: its parent is init, which reaps late here). */
  async function stopVm(vm: Vm): Promise<number> {
    const startMs = performance.now();
    const bye = await exchange(vm.paths.agentSocket, powerOffExchange('stop'));
    assert.ok(bye.text.includes(powerOffExchange('stop').until), bye.text);
    return waitForExit(vm, startMs);
  }

  async function waitForExit(vm: Vm, startMs: number, timeoutMs = 60_000): Promise<number> {
    while (isQemuAlive(vm.pid)) {
      if (performance.now() - startMs > timeoutMs) assert.fail(`QEMU ${vm.pid} still runs ${timeoutMs} ms after the guest was told to power off\n${consoleOf(vm)}`);
      await sleep(2);
    }
    return performance.now() - startMs;
  }

  /** What clean does: the VM's folder goes (sockets, pidfile, console log). */
  function cleanVm(vm: Vm): void {
    rmSync(vm.dir, { recursive: true, force: true });
  }

  const consoleOf = (vm: Vm) => (existsSync(vm.paths.consoleLog) ? `console of ${vm.name}:\n${readFileSync(vm.paths.consoleLog, 'utf8').slice(-2000)}` : '');
  const recordOf = (argv: string[], answer: AgentAnswer & { ms: number }): CommandRecord =>
    ({ argv, durationMs: answer.ms, exitCode: answer.exitCode, signal: null, stdout: answer.stdout, stderr: answer.stderr });

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    hostBefore = new Set(hostEntries());
    workDir = mkdtempSync('/var/tmp/crbench-qemu-');
    const scratchDir = path.join(workDir, 'scratch');
    mkdirSync(scratchDir);
    tscKhz = readHostTscKhz();
    const timed = async <T>(what: string, build: () => Promise<T>, describeIt: (built: T) => string): Promise<T> => {
      const startMs = performance.now();
      const built = await build();
      measured.push(`${what}: ${describeIt(built)}, ${Math.round(performance.now() - startMs)} ms here`);
      return built;
    };
    kernel = await timed('guest kernel', () => provisionGuestKernel({ cacheDir: CACHE, scratchDir }),
      (built) => `${built.package} ${built.packageVersion}, vmlinux ${mib(built.vmlinuxBytes)} (${built.entry} entry ${built.pvhEntryAddress}), ${built.fromCache ? 'cached' : `built in ${built.buildMs} ms`}`);
    for (const name of ['tiny', 'grader']) {
      images[name] = await timed(`image ${name}`, () => (IMAGES[name] as NonNullable<(typeof IMAGES)[string]>).build(CACHE, scratchDir),
        (built) => `${mib(built.tarballBytes)} tarball, ${built.fromCache ? 'cached' : 'built'}`);
    }
    const tiny = images['tiny'] as BuiltImage;
    const grader = images['grader'] as BuiltImage;
    tinyInitramfs = await timed('tiny initramfs', () => buildImageInitramfs({ image: tiny, kernel, cacheDir: CACHE, scratchDir }),
      (built) => `${mib(built.bytes)} cpio, ${built.fromCache ? 'cached' : `built in ${built.buildMs} ms`}`);
    bootInitramfs = await timed('boot initramfs', () => buildBootInitramfs({ kernel, cacheDir: CACHE, diskFsType: 'squashfs' }),
      (built) => `${mib(built.bytes)} cpio, ${built.fromCache ? 'cached' : `built in ${built.buildMs} ms`}`);
    graderDisk = await timed('grader disk', () => buildRootDisk({ image: grader, cacheDir: CACHE, scratchDir }),
      (built) => `${mib(built.bytes)} squashfs (${built.compression}), ${built.fromCache ? 'cached' : `built in ${built.buildMs} ms`}`);
    measured.push(`kernel drivers: ${Object.entries(kernel.drivers).map(([name, how]) => `${name} ${how}`).join(', ')}`);
    measured.push(`grader + copy: ${copyRootInfeasibility(grader.tarballBytes, MEMORY_MIB) ?? 'fits'}`);
  });

  after(async function () {
    // A safety net for a failed test: every QEMU it started is killed by its pid.
    for (const vm of started) if (isQemuAlive(vm.pid)) process.kill(vm.pid, 'SIGKILL');
    for (const vm of started) for (let tries = 0; tries < 500 && isQemuAlive(vm.pid); tries++) await sleep(10);
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
    if (measured.length > 0) console.log(`      measured (TCG, ${MEMORY_MIB} MiB guests, a shared 2-core host):\n${measured.map((line) => `        ${line}`).join('\n')}`);
  });

  it('leaves the scratch folder empty and no partial file in the cache after the builds', () => {
    assert.deepEqual(readdirSync(path.join(workDir, 'scratch')), []);
    assert.deepEqual(readdirSync(CACHE).filter((name) => name.endsWith('.partial')), []);
  });

  it('builds the same tiny initramfs bytes again in another cache', async () => {
    const again = await buildImageInitramfs({ image: images['tiny'] as BuiltImage, kernel, cacheDir: path.join(workDir, 'cache-again'), scratchDir: path.join(workDir, 'scratch') });
    assert.equal(again.fromCache, false);
    assert.equal(again.sha256, tinyInitramfs.sha256);
    rmSync(path.join(workDir, 'cache-again'), { recursive: true });
  });

  it('boots tiny from its initramfs, runs /bin/true and a command with output and exit code, then powers off', async () => {
    const vm = await createVm({ initramfs: tinyInitramfs });
    assert.ok(isQemuAlive(vm.pid), 'QEMU runs, paused, once create returned');
    const launched = await launchVm(vm);
    const noop = WORKLOADS['noop'];
    assert.ok(noop);
    const truth = await executeVm(vm, noop.argv);
    assert.equal(noop.check(recordOf(noop.argv, truth)), null);
    const answered = await executeVm(vm, ['/bin/sh', '-c', 'echo hi; echo oops >&2; exit 3']);
    assert.deepEqual([answered.stdout, answered.stderr, answered.exitCode], ['hi\n', 'oops\n', 3]);
    const stopMs = await stopVm(vm);
    cleanVm(vm);
    measured.push(`tiny: create ${vm.createMs.toFixed(0)} ms, launch ${launched.launchMs.toFixed(0)} ms, /bin/true ${truth.ms.toFixed(1)} ms, stop ${stopMs.toFixed(0)} ms, QEMU RSS at ready ${launched.rssBytes === null ? '?' : mib(launched.rssBytes)}`);
  });

  it('enforces the limits inside the guest: pids by the agent\'s cgroup, no NIC, memory by the guest\'s RAM', async () => {
    const vm = await createVm({ initramfs: tinyInitramfs });
    await launchVm(vm);
    const cgroup = await executeVm(vm, ['/bin/busybox', 'cat', '/proc/self/cgroup', '/sys/fs/cgroup/workload/pids.max']);
    assert.equal(cgroup.stdout, `0::/workload\n${DEFAULT_LIMITS.pids}\n`);
    for (const name of ['limit-pids', 'limit-network', 'limit-memory']) {
      const workload = WORKLOADS[name];
      assert.ok(workload);
      const answer = await executeVm(vm, workload.argv);
      assert.equal(workload.check(recordOf(workload.argv, answer)), null, `${name}: ${JSON.stringify(answer)}`);
    }
    const memory = await executeVm(vm, ['/bin/busybox', 'grep', '-E', '^(MemTotal|MemAvailable):', '/proc/meminfo']);
    measured.push(`tiny guest memory after the limit workloads: ${memory.stdout.trim().replace(/\s+/g, ' ')}`);
    assert.ok(isQemuAlive(vm.pid), 'the agent (PID 1) outlived the fork bomb and the memory hog');
    await stopVm(vm);
    cleanVm(vm);
  });

  it(`boots tiny ${BOOTS} times to the agent's answer, and times ${ROUND_TRIPS} round trips of /bin/true`, async () => {
    const launchMs: number[] = [];
    const roundTripMs: number[] = [];
    const rssBytes: number[] = [];
    for (let boot = 0; boot < BOOTS; boot++) {
      const vm = await createVm({ initramfs: tinyInitramfs });
      const launched = await launchVm(vm);
      launchMs.push(launched.launchMs);
      if (launched.rssBytes !== null) rssBytes.push(launched.rssBytes);
      if (boot === 0) for (let trip = 0; trip < ROUND_TRIPS; trip++) roundTripMs.push((await executeVm(vm, ['/bin/true'])).ms);
      await stopVm(vm);
      cleanVm(vm);
    }
    measured.push(`tiny boot to ready (cont → pong): median ${median(launchMs).toFixed(0)} ms of ${launchMs.map((ms) => ms.toFixed(0)).join(', ')}`);
    measured.push(`tiny /bin/true round trip: median ${median(roundTripMs).toFixed(1)} ms (min ${Math.min(...roundTripMs).toFixed(1)}, max ${Math.max(...roundTripMs).toFixed(1)})`);
    measured.push(`tiny QEMU RSS at ready: median ${mib(median(rssBytes))}`);
  });

  it('runs the command given at boot (the command shape), prints its answer, and powers off by itself', async () => {
    const request = { id: 'boot1', argv: ['/bin/sh', '-c', 'echo from-init; exit 5'] };
    const vm = await createVm({ initramfs: tinyInitramfs, env: commandModeEnv(request) });
    const startMs = performance.now();
    await exchange(vm.paths.qmpSocket, contExchange());
    const read = await exchange(vm.paths.agentSocket, { send: '', until: runExchange(request).until });
    const parsed = parseRunAnswer(read.text, request.id);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    assert.deepEqual([parsed.answer.stdout, parsed.answer.exitCode], ['from-init\n', 5]);
    const exitMs = await waitForExit(vm, startMs);
    cleanVm(vm);
    measured.push(`tiny command shape: cont → answer ${read.ms.toFixed(0)} ms, → QEMU exited ${exitMs.toFixed(0)} ms`);
  });

  it('boots grader from its read-only disk under an overlay, grades the Python submission, then powers off', async () => {
    const launchMs: number[] = [];
    const rssBytes: number[] = [];
    for (let boot = 0; boot < BOOTS; boot++) {
      const vm = await createVm({ initramfs: bootInitramfs, disk: graderDisk });
      const launched = await launchVm(vm);
      launchMs.push(launched.launchMs);
      if (launched.rssBytes !== null) rssBytes.push(launched.rssBytes);
      if (boot === 0) {
        const workload = WORKLOADS['grade-python'];
        assert.ok(workload);
        const graded = await executeVm(vm, workload.argv);
        assert.equal(workload.check(recordOf(workload.argv, graded)), null, JSON.stringify(graded));
        const again = await executeVm(vm, workload.argv);
        const truth = await executeVm(vm, ['/bin/true']);
        // The overlay takes writes; the disk below stays as it was.
        const written = await executeVm(vm, ['/bin/sh', '-c', 'echo new >/etc/written && cat /etc/written && grep -c overlay /proc/mounts']);
        assert.deepEqual([written.stdout, written.exitCode], ['new\n1\n', 0]);
        measured.push(`grader grade-python: first ${graded.ms.toFixed(0)} ms (cold page cache), again ${again.ms.toFixed(0)} ms; /bin/true ${truth.ms.toFixed(1)} ms`);
      }
      await stopVm(vm);
      cleanVm(vm);
    }
    measured.push(`grader boot to ready (cont → pong, disk + overlay): median ${median(launchMs).toFixed(0)} ms of ${launchMs.map((ms) => ms.toFixed(0)).join(', ')}`);
    measured.push(`grader QEMU RSS at ready: median ${mib(median(rssBytes))}`);
    assert.equal(statSync(graderDisk.path).size, graderDisk.bytes, 'the shared disk is unchanged');
  });

  for (const lifecycle of ['exec', 'command'] as const satisfies readonly Lifecycle[]) {
    it(`runs the five phases of the ${lifecycle} shape as executor steps (microvm-steps.ts) on the native timer`, async () => {
      const executor = await openNativeExecutor({ scratchDir: path.join(workDir, 'scratch') });
      try {
        const dir = path.join(workDir, 'vms', `steps-${lifecycle}`);
        mkdirSync(dir, { recursive: true });
        const paths = microVmPaths(dir);
        const request = { id: `grade-${lifecycle}`, argv: ['/bin/sh', '-c', 'echo graded; exit 0'] };
        const env = lifecycle === 'command' ? commandModeEnv(request) : { CRBENCH_MODE: 'exec' };
        const argv = microVmArgv({
          accelerator: 'tcg', memoryMiB: MEMORY_MIB, kernelPath: kernel.bootPath, initramfsPath: tinyInitramfs.path, paths,
          kernelCmdline: guestKernelCmdline({ tscKhz, env: { CRBENCH_PIDS_MAX: String(DEFAULT_LIMITS.pids), ...env } }),
        });
        const vm: MicroVmHandle = { dir, paths, argv, lifecycle };
        const phase = async (name: string, steps: Step[]) => {
          const run = await executor.runPhase(steps, { deadlineMs: 120_000 });
          assert.ok(run.ok, `${name}: ${run.error}\n${existsSync(paths.consoleLog) ? readFileSync(paths.consoleLog, 'utf8') : ''}`);
          return run;
        };
        const created = await phase('create', createSteps(vm));
        const pid = readQemuPid(paths.pidfile);
        started.push({ name: `steps-${lifecycle}`, dir, paths, pid });
        const launched = await phase('launch', launchSteps(vm));
        const executed = await phase('execute', executeSteps(vm, request));
        const answer = parseRunAnswer(executed.records.at(-1)?.stdout ?? '', request.id);
        assert.ok(answer.ok, answer.ok ? '' : answer.error);
        assert.deepEqual([answer.answer.stdout, answer.answer.exitCode], ['graded\n', 0]);
        const stopped = await phase('stop', stopSteps(vm, pid));
        assert.equal(stopped.records.at(-1)?.exitCode, 0, 'the executor reaped QEMU, which exited 0');
        assert.equal(isQemuAlive(pid), false);
        const cleaned = await phase('clean', cleanSteps(vm));
        assert.equal(existsSync(dir), false);
        const show = (run: { durationMs: number; records: Parameters<typeof stepTimings>[0] }) => `${run.durationMs.toFixed(0)} ms (${stepTimings(run.records).map((step) => `${step.label} ${step.durationMs.toFixed(1)}`).join(', ')})`;
        measured.push(`${lifecycle} shape on the timer: create ${show(created)}; launch ${show(launched)}; execute ${show(executed)}; stop ${show(stopped)}; clean ${show(cleaned)}`);
      } finally {
        await executor.close();
      }
    });
  }

  it('leaves no QEMU process and nothing of the VMs behind, in the work directory or outside it', () => {
    for (const vm of started) assert.equal(isQemuAlive(vm.pid), false, `QEMU ${vm.pid} (${vm.name}) still runs`);
    assert.deepEqual(readdirSync(path.join(workDir, 'vms')), []);
    assert.deepEqual(leftovers(workDir), []);
    assert.deepEqual(hostEntries().filter((entry) => !hostBefore.has(entry) && entry !== workDir && OURS.test(path.basename(entry))), []);
  });
});
