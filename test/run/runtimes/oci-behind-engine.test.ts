import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dockerdConfig, dockerdPaths } from '../../../provision/daemons/dockerd.ts';
import {
  CRUN_UNSHARE_WORKAROUND, CRUN_WRAPPER_WORKAROUND, crunUnshareWrapperScript, crunWrapperScript, prepareEngineOci,
} from '../../../pipeline/run/runtimes/oci-behind-engine.ts';
import { RUNSC_GLOBAL_FLAGS } from '../../../pipeline/run/runtimes/runsc.ts';
import type { HostFacts } from '../../../pipeline/types.ts';

/** A host with the given binaries installed (null: missing) and cgroup mode. */
function hostWith(binaries: Record<string, string | null>, cgroupMode: HostFacts['cgroupMode']): HostFacts {
  return {
    isRoot: true, kernel: '6.1.0', distribution: 'Debian 12', cpuModel: 'test', cores: 2, memoryBytes: 2 ** 34, cgroupMode,
    kernelFilesystems: ['ext4'], binaries, loopControl: true, kernelFeatures: [], vm: { usable: false, reason: 'no KVM' },
  };
}

const EVERY_OCI = {
  runsc: '/usr/bin/runsc', crun: '/usr/bin/crun', 'kata-runtime': '/opt/kata/bin/kata-runtime', nsenter: '/usr/bin/nsenter', unshare: '/usr/bin/unshare',
};

/** A stand-in for nsenter or unshare that prints the arguments it got, one a line, and runs nothing. */
function argumentPrinter(file: string): string {
  writeFileSync(file, '#!/bin/sh\nprintf \'%s\\n\' "$@"\n', { mode: 0o755 });
  return file;
}

describe('crunWrapperScript()', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-wrapper-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('execs crun through nsenter into the namespace, passing every argument on', () => {
    assert.equal(crunWrapperScript('/usr/bin/nsenter', '/w/ns/g.oci', '/usr/bin/crun'), [
      '#!/bin/sh',
      '# crbench: crun inside a mount namespace without the cgroup2 mount (hybrid cgroups)',
      'exec \'/usr/bin/nsenter\' --mount=\'/w/ns/g.oci\' \'/usr/bin/crun\' "$@"',
      '',
    ].join('\n'));
  });

  it('quotes paths so the shell passes them as they are: spaces, quotes, $ and globs included', () => {
    const nsenter = argumentPrinter(path.join(dir, 'fake nsenter'));
    const namespace = path.join(dir, "it's $HOME *.oci");
    const crun = path.join(dir, 'bin `x`', 'crun');
    const wrapper = path.join(dir, 'crun-wrapper');
    writeFileSync(wrapper, crunWrapperScript(nsenter, namespace, crun), { mode: 0o755 });
    const printed = execFileSync(wrapper, ['--root', '/run/x y', 'create', '--bundle', "/b'c"], { encoding: 'utf8' });
    assert.deepEqual(printed.split('\n').slice(0, -1), [`--mount=${namespace}`, crun, '--root', '/run/x y', 'create', '--bundle', "/b'c"]);
  });
});

describe('crunUnshareWrapperScript()', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-wrapper-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each crun call a fresh mount namespace without cgroup2, crun and its arguments passed to the inner shell as they are', () => {
    // The stand-in only prints: the umount is never run on this host.
    const unshare = argumentPrinter(path.join(dir, "un'share"));
    const crun = path.join(dir, 'my crun');
    const wrapper = path.join(dir, 'crun-wrapper');
    writeFileSync(wrapper, crunUnshareWrapperScript(unshare, crun), { mode: 0o755 });
    const printed = execFileSync(wrapper, ['--root', '/run/x y', 'start', '$id'], { encoding: 'utf8' });
    assert.deepEqual(printed.split('\n').slice(0, -1), [
      '--mount', '--propagation', 'slave', '/bin/sh', '-c', 'umount /sys/fs/cgroup/unified && exec "$0" "$@"', crun, '--root', '/run/x y', 'start', '$id',
    ]);
  });
});

describe('prepareEngineOci()', () => {
  let workDir: string;
  let stateDir: string;
  beforeEach(() => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-engine-oci-'));
    stateDir = path.join(workDir, 'runtime-state', 'dk-1');
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));
  const prepare = (host: HostFacts, oci: string | null, crunWrapper: 'nsenter' | 'unshare' = 'nsenter') =>
    prepareEngineOci({ host, workDir, groupId: 'docker.overlay2.ext4', stateDir, oci, crunWrapper });

  it('registers runsc (with crbench\'s flags), crun and kata as the host has them, and chooses none for the engine\'s default', async () => {
    // The wrapper is written only on hybrid hosts, so the state dir need not exist here.
    const oci = await prepare(hostWith(EVERY_OCI, 'v2'), null);
    assert.deepEqual(oci.dockerRuntimes, {
      runsc: { path: '/usr/bin/runsc', runtimeArgs: RUNSC_GLOBAL_FLAGS },
      crun: { path: '/usr/bin/crun' },
      kata: { path: '/opt/kata/bin/kata-runtime' },
    });
    assert.deepEqual([oci.selected, oci.namespaceFile, oci.workarounds], [null, null, []]);
    assert.equal((await prepare(hostWith(EVERY_OCI, 'v2'), 'runc')).selected, null, 'runc is the engine\'s own: no Runtime, no --runtime');
  });

  it('writes what it registers into daemon.json\'s runtimes, and nothing when the host has none', async () => {
    const paths = dockerdPaths(workDir, 'docker.overlay2.ext4', path.join(workDir, 'mnt'));
    const every = await prepare(hostWith(EVERY_OCI, 'v2'), null);
    assert.deepEqual(dockerdConfig(paths, every.dockerRuntimes), {
      'deprecated-key-path': paths.keyFile,
      runtimes: { runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none', '--platform=ptrace', '--oci-seccomp', '--net-raw'] }, crun: { path: '/usr/bin/crun' }, kata: { path: '/opt/kata/bin/kata-runtime' } },
    });
    const onlyRunsc = await prepare(hostWith({ runsc: '/usr/local/bin/runsc', crun: null, 'kata-runtime': null }, 'v2'), null);
    assert.deepEqual(Object.keys(onlyRunsc.dockerRuntimes), ['runsc']);
    const none = await prepare(hostWith({}, 'v2'), null);
    assert.deepEqual(dockerdConfig(paths, none.dockerRuntimes), { 'deprecated-key-path': paths.keyFile });
  });

  it('selects the runtime the group chose, by name (docker) and path (podman), with its flags', async () => {
    assert.deepEqual((await prepare(hostWith(EVERY_OCI, 'v2'), 'runsc')).selected, { name: 'runsc', path: '/usr/bin/runsc', flags: RUNSC_GLOBAL_FLAGS });
    const crun = await prepare(hostWith(EVERY_OCI, 'v2'), 'crun');
    assert.deepEqual([crun.selected, crun.namespaceFile, crun.workarounds], [{ name: 'crun', path: '/usr/bin/crun', flags: [] }, null, []]);
    assert.deepEqual((await prepare(hostWith(EVERY_OCI, 'v2'), 'kata')).selected, { name: 'kata', path: '/opt/kata/bin/kata-runtime', flags: [] });
  });

  it('refuses a runtime the host does not have, naming it', async () => {
    await assert.rejects(prepare(hostWith({ runsc: null }, 'v2'), 'runsc'), /the OCI runtime runsc is not installed on this host/);
  });

  it('registers crun behind an executable wrapper on a hybrid host, entering no namespace when the group did not choose crun', async () => {
    mkdirSync(stateDir, { recursive: true });
    const oci = await prepare(hostWith(EVERY_OCI, 'hybrid'), 'runsc');
    const wrapper = path.join(stateDir, 'crun-wrapper');
    assert.deepEqual(oci.dockerRuntimes['crun'], { path: wrapper });
    assert.equal(statSync(wrapper).mode & 0o777, 0o755);
    assert.equal(readFileSync(wrapper, 'utf8'), crunWrapperScript('/usr/bin/nsenter', '/nonexistent: this group did not choose crun', '/usr/bin/crun'));
    assert.deepEqual([oci.namespaceFile, oci.workarounds], [null, []], 'no namespace is made, and no workaround claimed, for a group that runs runsc');
    assert.match(CRUN_WRAPPER_WORKAROUND, /wrapper script that enters a mount namespace .* without \/sys\/fs\/cgroup\/unified/);
  });

  it('gives podman\'s crun a wrapper that unshares per call: a hybrid host\'s crun runs for the group without a namespace made ahead', async () => {
    mkdirSync(stateDir, { recursive: true });
    const oci = await prepare(hostWith(EVERY_OCI, 'hybrid'), 'crun', 'unshare');
    const wrapper = path.join(stateDir, 'crun-wrapper');
    assert.deepEqual(oci.selected, { name: 'crun', path: wrapper, flags: [] });
    assert.equal(readFileSync(wrapper, 'utf8'), crunUnshareWrapperScript('/usr/bin/unshare', '/usr/bin/crun'));
    assert.deepEqual([oci.namespaceFile, oci.workarounds], [null, [CRUN_UNSHARE_WORKAROUND]]);
  });
});
