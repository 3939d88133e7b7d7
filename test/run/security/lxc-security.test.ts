import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LIMITS } from '../../../pipeline/run/limits.ts';
import { buildLxcConfig } from '../../../pipeline/run/runtimes/lxc-config.ts';
import type { ContainerSecurity } from '../../../pipeline/run/security/container-security.ts';
import { DOCKER_DEFAULT_CAPABILITIES, DOCKER_MASKED_PATHS, DOCKER_READONLY_PATHS, SECCOMP_PROFILE_PATH } from '../../../pipeline/run/security/docker-defaults.ts';
import { buildLxcSecurity, LXC_SECCOMP_POLICY_FILE, writeLxcSecurity, type PathKind } from '../../../pipeline/run/security/lxc-security.ts';

const SECURITY: ContainerSecurity = {
  seccompSource: { path: '/usr/share/containers/seccomp.json', sha256: 'ab'.repeat(32) },
  seccomp: { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] },
  capabilities: [...DOCKER_DEFAULT_CAPABILITIES],
  noNewPrivileges: true,
  maskedPaths: [...DOCKER_MASKED_PATHS],
  readonlyPaths: [...DOCKER_READONLY_PATHS],
};

/** This host's kernel: no /proc/kcore, sched_debug, scsi, asound, latency_stats or timer_stats. */
const THIS_KERNEL: Record<string, PathKind> = {
  '/proc/acpi': 'directory', '/proc/keys': 'file', '/proc/timer_list': 'file', '/sys/firmware': 'directory',
  '/proc/bus': 'directory', '/proc/fs': 'directory', '/proc/irq': 'directory', '/proc/sys': 'directory', '/proc/sysrq-trigger': 'file',
};
const kindOnThisKernel = (file: string): PathKind => THIS_KERNEL[file] ?? 'missing';

describe('buildLxcSecurity()', () => {
  it('keeps Docker\'s capabilities (clearing LXC\'s drop list), sets no_new_privs, names the policy and masks what the kernel has', () => {
    const { configLines } = buildLxcSecurity(SECURITY, '/w/setup/policy', kindOnThisKernel);
    assert.deepEqual(configLines.filter((line) => !line.startsWith('#')), [
      'lxc.cap.drop =',
      'lxc.cap.keep = chown dac_override fsetid fowner mknod net_raw setgid setuid setfcap setpcap net_bind_service sys_chroot kill audit_write',
      'lxc.no_new_privs = 1',
      'lxc.seccomp.profile = /w/setup/policy',
      'lxc.mount.entry = tmpfs proc/acpi tmpfs ro,nosuid,nodev,noexec,optional 0 0',
      'lxc.mount.entry = /dev/null proc/keys none bind,optional 0 0',
      'lxc.mount.entry = /dev/null proc/timer_list none bind,optional 0 0',
      'lxc.mount.entry = tmpfs sys/firmware tmpfs ro,nosuid,nodev,noexec,optional 0 0',
      'lxc.mount.entry = /proc/bus proc/bus none bind,ro,optional 0 0',
      'lxc.mount.entry = /proc/fs proc/fs none bind,ro,optional 0 0',
      'lxc.mount.entry = /proc/irq proc/irq none bind,ro,optional 0 0',
    ]);
  });

  it('says how each part is applied and what was absent, for the manifest', () => {
    const { notes } = buildLxcSecurity(SECURITY, '/w/setup/policy', kindOnThisKernel);
    assert.match(notes.join('\n'), /seccomp: Docker's filter as an LXC v2 allowlist \(1 line,/);
    assert.match(notes.join('\n'), /absent on this kernel, so nothing to mask: \/proc\/asound, \/proc\/kcore/);
  });

  it('records rules LXC cannot express in the notes', () => {
    const withLog = { ...SECURITY, seccomp: { ...SECURITY.seccomp, syscalls: [...SECURITY.seccomp.syscalls, { names: ['getpid'], action: 'SCMP_ACT_LOG' }] } };
    assert.match(buildLxcSecurity(withLog, '/p', kindOnThisKernel).notes.join('\n'), /1 rule not expressible and left out: getpid SCMP_ACT_LOG/);
  });
});

describe('buildLxcConfig() with security', () => {
  const facts = { lxcfsRunning: false, apparmorEnabled: false, swapAccounting: true };

  it('puts the confinement right after LXC\'s common configuration, so that it overrides its seccomp and capabilities', () => {
    const security = buildLxcSecurity(SECURITY, '/w/setup/policy', kindOnThisKernel);
    const lines = buildLxcConfig({ limits: DEFAULT_LIMITS, cgroupMode: 'hybrid', facts, security }).split('\n');
    const include = lines.indexOf('lxc.include = /usr/share/lxc/config/common.conf');
    assert.deepEqual(lines.slice(include + 1, include + 1 + security.configLines.length), security.configLines);
  });

  it('leaves the configuration as it was without it', () => {
    const text = buildLxcConfig({ limits: DEFAULT_LIMITS, cgroupMode: 'hybrid', facts });
    assert.ok(!text.includes('lxc.cap.keep') && !text.includes('lxc.seccomp.profile'));
  });
});

describe('writeLxcSecurity()', () => {
  let dir: string;
  beforeEach(function () {
    if (!existsSync(SECCOMP_PROFILE_PATH)) this.skip();
    dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-lxc-security-'));
  });
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('writes Docker\'s profile as LXC\'s policy file where the config says', () => {
    const security = writeLxcSecurity(dir);
    const policyPath = path.join(dir, LXC_SECCOMP_POLICY_FILE);
    assert.ok(security.configLines.includes(`lxc.seccomp.profile = ${policyPath}`));
    assert.equal(readFileSync(policyPath, 'utf8'), security.seccompPolicy.text);
    assert.match(security.seccompPolicy.text, /^2\nallowlist errno 38\n/);
  });
});
