import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cgroupParentOf } from '../../provision/cgroups.ts';
import { cleanUpDockerd, DOCKERD_HOST_PATHS, dockerdCleanUpSpec, dockerdPaths, startDockerd, type DockerdPaths } from '../../provision/daemons/dockerd.ts';
import { requestOverSocket } from '../../provision/daemons/http-over-socket.ts';
import { DEFAULT_LIMITS } from '../../pipeline/run/limits.ts';
import { buildOciConfig } from '../../pipeline/run/oci-config.ts';
import { buildLxcConfig, probeLxcHostFacts } from '../../pipeline/run/runtimes/lxc-config.ts';
import { describeSecurityProfile } from '../../pipeline/run/security/describe-security-profile.ts';
import { writeLxcSecurity } from '../../pipeline/run/security/lxc-security.ts';
import { dockerSecurityOpt, RUNSC_SECURITY_FLAGS } from '../../pipeline/run/security/runtime-options.ts';
import { parseSecurityFacts, probeSecurity, type SecurityFacts } from '../../pipeline/run/workloads/probe-security.ts';
import type { Sample } from '../../pipeline/types.ts';
import { leftovers } from './host-leaks.ts';

const CLI = path.resolve('bin/crbench.js');

/** The runtimes whose containers are compared head to head: they must be confined alike. */
const COMPARED = ['runc', 'crun', 'docker', 'podman'];
/** Reported beside them: their facts are what the isolation table shows, not asserted equal here. */
const REPORTED = ['docker-cli', 'runsc', 'lxc', 'lxd'];

/**
 * Runs a command to its end. `detaches`: it leaves a process behind that keeps its output
 * open (runsc create's sandbox), so its output goes nowhere and only its exit status counts.
 */
function run(argv: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; detaches?: boolean } = {}) {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('nothing to run');
  return spawnSync(file, args, {
    encoding: 'utf8', env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 120_000,
    ...(options.detaches ? { stdio: 'ignore' as const } : {}),
  });
}

function crbench(args: string[], env: NodeJS.ProcessEnv) {
  return run([process.execPath, CLI, ...args], { env, timeoutMs: 900_000 });
}

/** A busybox root filesystem: the tiny image's content, enough for the probe. */
function busyboxRootfs(dir: string): string {
  const rootfs = path.join(dir, 'rootfs');
  for (const sub of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(path.join(rootfs, sub), { recursive: true });
  copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
  for (const applet of ['sh', 'sleep', 'cat']) symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  return rootfs;
}

function factsOf(stdout: string, what: string): SecurityFacts {
  const parsed = parseSecurityFacts(stdout);
  if ('error' in parsed) throw new Error(`${what}: ${parsed.error}\n${stdout}`);
  return parsed.facts;
}

const profile = () => describeSecurityProfile();

/** The stdout frames of a Docker log stream without a TTY: an 8-byte header (stream, 0, 0, 0, length) before each. */
function demultiplex(stream: Buffer): string {
  const parts: Buffer[] = [];
  for (let offset = 0; offset + 8 <= stream.length;) {
    const length = stream.readUInt32BE(offset + 4);
    if (stream[offset] === 1) parts.push(stream.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(parts).toString('utf8');
}

const CGROUP_V1_CONTROLLERS = ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'pids', 'systemd'];

/** Waits up to 10 s until no process names `dir` on its command line (LXC's monitor outlives lxc-stop for a moment). */
function awaitProcessesGone(dir: string): void {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && run(['pgrep', '-f', dir]).status === 0) spawnSync('sleep', ['0.1']);
}

/**
 * LXC's monitor moves itself into an lxc.pivot cgroup of every hierarchy when its container
 * stops, and leaves it there, empty: removed once the monitors of `dir` are gone, when the
 * test made it.
 */
function removeLxcPivot(existedBefore: boolean, dir: string): void {
  if (existedBefore) return;
  awaitProcessesGone(dir);
  for (const controller of [...CGROUP_V1_CONTROLLERS, 'unified']) run(['rmdir', path.join('/sys/fs/cgroup', controller, 'lxc.pivot')]);
}

const lxcPivotExists = () => existsSync('/sys/fs/cgroup/memory/lxc.pivot');

/** Removes the work directory's cgroup parent (the pipeline's teardown does, for a run), with `children` below it first. */
function removeCgroupParent(workDir: string, children: readonly string[] = []): void {
  for (const controller of CGROUP_V1_CONTROLLERS) {
    const parent = path.join('/sys/fs/cgroup', controller, cgroupParentOf(workDir));
    for (const child of children) run(['rmdir', path.join(parent, child)]);
    run(['rmdir', parent]);
  }
}

describe('probe-security through crbench run: every compared runtime confined alike (root)', function () {
  this.timeout(900_000);
  let workDir: string;
  let resultsDir: string;
  let executes: Sample[] = [];
  let runResult: ReturnType<typeof crbench>;
  let pivotExisted = true;

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    pivotExisted = lxcPivotExists();
    // Short: podman refuses a runroot path longer than 50 characters.
    workDir = mkdtempSync('/var/tmp/crbench-ps-');
    // LXD's unprivileged containers must traverse the work directory.
    run(['chmod', '755', workDir]);
    resultsDir = `${workDir}-results`;
    const matrix = path.join(workDir, 'probe-security.yaml');
    writeFileSync(matrix, [
      'schemaVersion: 1',
      'name: probe-security',
      'description: Isolation measured from inside, on every runtime.',
      'axes:',
      `  runtime: [${[...COMPARED, ...REPORTED].join(', ')}]`,
      '  storageDriver: [copy, vfs, dir]',
      '  filesystem: [ext4]',
      '  image: [tiny]',
      '  workload: [probe-security]',
      '  concurrency: [1]',
      'repetitions: 1',
      'warmup: 0',
      'volumeSizeMiB: 1024',
      'phaseTimeoutMs: 60000',
      '',
    ].join('\n'));
    runResult = crbench(['run', matrix, '--results', resultsDir], { CRBENCH_WORK_DIR: workDir });
    const samplesFile = path.join(resultsDir, 'samples.jsonl');
    if (existsSync(samplesFile)) {
      executes = readFileSync(samplesFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Sample).filter((sample) => sample.phase === 'execute');
    }
    const table = executes.map((sample) => `${sample.cellId}: ${sample.ok ? JSON.stringify(sample.kind === 'phase' ? sample.facts : undefined) : `failed: ${sample.error}`}`);
    console.log(`      facts measured:\n${table.map((line) => `        ${line}`).join('\n')}`);
  });

  after(() => {
    if (workDir === undefined) return;
    crbench(['teardown', '--purge-cache'], { CRBENCH_WORK_DIR: workDir });
    removeLxcPivot(pivotExisted, workDir);
    for (const dir of [workDir, resultsDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the probe on every runtime', () => {
    assert.equal(runResult.status, 0, runResult.stderr);
    const runtimes = new Set(executes.map((sample) => sample.runtime));
    for (const runtime of [...COMPARED, ...REPORTED]) assert.ok(runtimes.has(runtime), `no execute sample for ${runtime}`);
  });

  it('shows seccomp mode 2, the profile\'s CapEff and its no_new_privs for runc, crun, docker and podman', () => {
    const expected = { seccomp: 2, capEff: profile().capEff, noNewPrivs: profile().noNewPrivileges ? 1 : 0, userNamespace: false };
    const differences: string[] = [];
    for (const runtime of COMPARED) {
      const ofRuntime = executes.filter((sample) => sample.runtime === runtime);
      if (ofRuntime.length === 0) differences.push(`${runtime}: no execute sample`);
      for (const sample of ofRuntime) {
        const facts = sample.kind === 'phase' ? sample.facts : undefined;
        if (!sample.ok || facts === undefined) {
          differences.push(`${sample.cellId}: ${sample.error ?? 'no facts'}`);
          continue;
        }
        for (const [key, value] of Object.entries(expected)) {
          if (facts[key] !== value) differences.push(`${sample.cellId}: ${key} ${String(facts[key])}, expected ${String(value)}`);
        }
      }
    }
    assert.deepEqual(differences, []);
  });

  it('shows LXD\'s own confinement: a user namespace', () => {
    const lxd = executes.filter((sample) => sample.runtime === 'lxd' && sample.ok);
    assert.ok(lxd.length > 0);
    for (const sample of lxd) assert.equal(sample.kind === 'phase' ? sample.facts?.['userNamespace'] : undefined, true);
  });

  it('leaves no loop device, mount, process or volume behind', () => {
    crbench(['teardown', '--purge-cache'], { CRBENCH_WORK_DIR: workDir });
    assert.deepEqual(leftovers(workDir), []);
  });
});

describe('the profile given to runsc, LXC and Docker directly, as their adapters are to (root)', function () {
  this.timeout(300_000);
  let workDir: string;
  let rootfs: string;

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    workDir = mkdtempSync('/var/tmp/crbench-probe-direct-');
    rootfs = busyboxRootfs(workDir);
  });

  after(() => {
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  describe('runsc with RUNSC_SECURITY_FLAGS', () => {
    const flags = ['--network=none', '--platform=ptrace', ...RUNSC_SECURITY_FLAGS];
    let stateRoot: string;
    let bundle: string;
    const ids: string[] = [];

    before(function () {
      if (run(['runsc', '--version']).status !== 0) this.skip();
      stateRoot = path.join(workDir, 'runsc-state');
      bundle = workDir;
    });

    after(() => {
      if (stateRoot === undefined) return;
      for (const id of ids) run(['runsc', '--root', stateRoot, 'delete', '--force', id], { timeoutMs: 60_000 });
      removeCgroupParent(workDir, ids);
    });

    const writeConfig = (id: string, initArgs?: string[]) => writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(
      buildOciConfig({ hostname: id, limits: DEFAULT_LIMITS, cgroupsPath: `/${cgroupParentOf(workDir)}/${id}`, ...(initArgs ? { initArgs } : {}) })));

    it('gives the workload that is the container\'s process (the command shape) the filter and Docker\'s capabilities', () => {
      const id = 'probe-command';
      ids.push(id);
      writeConfig(id, probeSecurity.argv);
      const result = run(['runsc', '--root', stateRoot, ...flags, 'run', '--bundle', bundle, id], { timeoutMs: 120_000 });
      assert.equal(result.status, 0, result.stderr);
      const facts = factsOf(result.stdout, 'runsc run');
      console.log(`      runsc run (command shape): ${JSON.stringify(facts)}`);
      assert.deepEqual({ seccomp: facts.seccomp, capEff: facts.capEff }, { seccomp: 2, capEff: profile().capEff });
    });

    it('gives an exec\'d workload Docker\'s capabilities but not the filter, as the manifest says', () => {
      const id = 'probe-exec';
      ids.push(id);
      writeConfig(id);
      for (const step of [['create', '--bundle', bundle, id], ['start', id]]) {
        const result = run(['runsc', '--root', stateRoot, ...flags, ...step], { detaches: true });
        assert.equal(result.status, 0, `runsc ${step.join(' ')} failed`);
      }
      const result = run(['runsc', '--root', stateRoot, ...flags, 'exec', id, ...probeSecurity.argv]);
      assert.equal(result.status, 0, result.stderr);
      const facts = factsOf(result.stdout, 'runsc exec');
      console.log(`      runsc exec (exec shape): ${JSON.stringify(facts)}`);
      assert.equal(facts.capEff, profile().capEff);
      assert.equal(facts.seccomp, 0, 'runsc now filters exec\'d processes: update the runsc gap in describe-security-profile.ts');
      assert.match(profile().runtimes['runsc']?.gaps.join('\n') ?? '', /runsc exec/);
    });
  });

  describe('LXC with buildLxcConfig({ security })', () => {
    const name = `crbench-probe-${process.pid}`;
    let lxcpath: string;
    let pivotExisted = true;

    before(function () {
      if (run(['lxc-start', '--version']).status !== 0) this.skip();
      pivotExisted = lxcPivotExists();
      lxcpath = path.join(workDir, 'lxc');
      const setup = path.join(workDir, 'lxc-setup');
      mkdirSync(path.join(lxcpath, name), { recursive: true });
      mkdirSync(setup, { recursive: true });
      const security = writeLxcSecurity(setup);
      const config = buildLxcConfig({ limits: DEFAULT_LIMITS, cgroupMode: 'hybrid', facts: probeLxcHostFacts(), security });
      writeFileSync(path.join(lxcpath, name, 'config'), `lxc.uts.name = ${name}\nlxc.rootfs.path = dir:${rootfs}\n${config}`);
    });

    after(() => {
      if (lxcpath === undefined) return;
      run(['lxc-stop', '-P', lxcpath, '-n', name, '-k']);
      rmSync(path.join('/run/lxc/lock', lxcpath), { recursive: true, force: true });
      run(['rmdir', '--parents', '--ignore-fail-on-non-empty', path.dirname(path.join('/run/lxc/lock', lxcpath))]);
      removeLxcPivot(pivotExisted, lxcpath);
    });

    it('gives the attached workload Docker\'s filter, capabilities and no_new_privs, without a user namespace', () => {
      const start = run(['lxc-start', '-P', lxcpath, '-n', name, '-d']);
      assert.equal(start.status, 0, start.stderr);
      const result = run(['lxc-attach', '-P', lxcpath, '-n', name, '--clear-env', '--', ...probeSecurity.argv]);
      assert.equal(result.status, 0, result.stderr);
      const facts = factsOf(result.stdout, 'lxc-attach');
      console.log(`      lxc-attach: ${JSON.stringify(facts)}`);
      assert.deepEqual(facts, { seccomp: 2, noNewPrivs: 1, capEff: profile().capEff, userNamespace: false });
      const masked = run(['lxc-attach', '-P', lxcpath, '-n', name, '--clear-env', '--', '/bin/busybox', 'sh', '-c', 'echo 1 > /proc/irq/default_smp_affinity']);
      assert.notEqual(masked.status, 0, '/proc/irq is read-only');
    });
  });

  describe('Docker with dockerSecurityOpt() in HostConfig.SecurityOpt, through the Engine API', () => {
    let paths: DockerdPaths | undefined;
    let createdHostPaths: string[] = [];

    before(async function () {
      if (run(['dockerd', '--version']).status !== 0) this.skip();
      createdHostPaths = DOCKERD_HOST_PATHS.filter((hostPath) => !existsSync(hostPath));
      paths = dockerdPaths(workDir, 'probe-docker', path.join(workDir, 'docker-volume'));
      await startDockerd(workDir, 'probe-docker', paths, 'vfs');
    });

    after(async () => {
      if (paths === undefined) return;
      assert.deepEqual(await cleanUpDockerd(dockerdCleanUpSpec(workDir, paths, createdHostPaths)), []);
      removeCgroupParent(workDir);
    });

    it('gives the container the same file\'s filter, Docker\'s capabilities and no_new_privs', async () => {
      const socket = paths!.socket;
      const tarball = path.join(workDir, 'tiny.tar');
      assert.equal(run(['tar', '-C', rootfs, '-cf', tarball, '.']).status, 0);
      const imported = await requestOverSocket(socket, 'POST', '/v1.41/images/create?fromSrc=-&repo=crbench-probe&tag=1', { bodyFile: tarball, timeoutMs: 60_000 });
      assert.equal(imported.status, 200, imported.body.toString());
      const created = await requestOverSocket(socket, 'POST', '/v1.41/containers/create?name=probe', {
        json: { Image: 'crbench-probe:1', Cmd: probeSecurity.argv, HostConfig: { NetworkMode: 'none', SecurityOpt: dockerSecurityOpt() } },
      });
      assert.equal(created.status, 201, created.body.toString());
      assert.equal((await requestOverSocket(socket, 'POST', '/v1.41/containers/probe/start')).status, 204);
      const waited = await requestOverSocket(socket, 'POST', '/v1.41/containers/probe/wait', { timeoutMs: 60_000 });
      assert.equal(JSON.parse(waited.body.toString()).StatusCode, 0);
      const logs = await requestOverSocket(socket, 'GET', '/v1.41/containers/probe/logs?stdout=1');
      const facts = factsOf(demultiplex(logs.body), 'docker (Engine API)');
      console.log(`      docker with dockerSecurityOpt(): ${JSON.stringify(facts)}`);
      assert.deepEqual(facts, { seccomp: 2, noNewPrivs: 1, capEff: profile().capEff, userNamespace: false });
    });
  });

  // Mocha runs a suite's own tests before its child suites: this one comes after their clean-up.
  describe('afterwards', () => {
    it('leaves no process, cgroup or mount behind', () => {
      assert.deepEqual(leftovers(workDir), []);
    });
  });
});
