import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DEFAULT_LIMITS } from '../../pipeline/run/limits.ts';
import { buildOciConfig } from '../../pipeline/run/oci-config.ts';
import type { ContainerSecurity } from '../../pipeline/run/security/container-security.ts';
import { DOCKER_DEFAULT_CAPABILITIES, DOCKER_MASKED_PATHS, DOCKER_READONLY_PATHS, SECCOMP_PROFILE_PATH } from '../../pipeline/run/security/docker-defaults.ts';

interface Config {
  process: { capabilities: Record<string, string[]>; noNewPrivileges: boolean; args: string[] };
  linux: { seccomp: { defaultAction: string; defaultErrnoRet?: number; architectures?: string[]; syscalls: { names: string[]; action: string }[] }; maskedPaths: string[]; readonlyPaths: string[]; cgroupsPath?: string; resources: { memory: { limit: number }; pids: { limit: number }; cpu: { quota: number; period: number } } };
}

const SECURITY: ContainerSecurity = {
  seccompSource: { path: '/x/seccomp.json', sha256: '0'.repeat(64) },
  seccomp: { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] },
  capabilities: ['CAP_KILL'],
  noNewPrivileges: false,
  maskedPaths: ['/proc/kcore'],
  readonlyPaths: ['/proc/sys'],
};

describe('buildOciConfig()', () => {
  it('confines the bundle as given: seccomp filter, bounding/effective/permitted capabilities without ambient, no_new_privs, paths', () => {
    const config = buildOciConfig({ hostname: 'h', limits: DEFAULT_LIMITS, security: SECURITY }) as Config;
    assert.deepEqual(config.linux.seccomp, SECURITY.seccomp);
    assert.deepEqual(config.process.capabilities, { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] });
    assert.equal(config.process.noNewPrivileges, false);
    assert.deepEqual([config.linux.maskedPaths, config.linux.readonlyPaths], [['/proc/kcore'], ['/proc/sys']]);
  });

  it('keeps the limits, the cgroup path and the init', () => {
    const config = buildOciConfig({ hostname: 'h', limits: DEFAULT_LIMITS, security: SECURITY, cgroupsPath: '/crbench/g/c', initArgs: ['/bin/true'] }) as Config;
    assert.equal(config.linux.resources.memory.limit, DEFAULT_LIMITS.memoryBytes);
    assert.equal(config.linux.resources.pids.limit, DEFAULT_LIMITS.pids);
    assert.deepEqual(config.linux.resources.cpu, { quota: 100_000, period: 100_000 });
    assert.equal(config.linux.cgroupsPath, '/crbench/g/c');
    assert.deepEqual(config.process.args, ['/bin/true']);
  });

  describe('by default, on this host', function () {
    before(function () {
      if (!existsSync(SECCOMP_PROFILE_PATH)) this.skip();
    });

    it('gives Docker\'s default confinement: its profile for this architecture, its 14 capabilities, no_new_privs, its paths', () => {
      const config = buildOciConfig({ hostname: 'h', limits: DEFAULT_LIMITS }) as Config;
      assert.equal(config.linux.seccomp.defaultAction, 'SCMP_ACT_ERRNO');
      assert.equal(config.linux.seccomp.defaultErrnoRet, 38);
      if (process.arch === 'x64') assert.deepEqual(config.linux.seccomp.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
      assert.ok(config.linux.seccomp.syscalls.some((rule) => rule.action === 'SCMP_ACT_ALLOW' && rule.names.includes('execve')));
      for (const set of ['bounding', 'effective', 'permitted']) assert.deepEqual(config.process.capabilities[set], [...DOCKER_DEFAULT_CAPABILITIES], set);
      assert.equal(config.process.capabilities['ambient'], undefined);
      assert.equal(config.process.noNewPrivileges, true);
      assert.deepEqual(config.linux.maskedPaths, [...DOCKER_MASKED_PATHS]);
      assert.deepEqual(config.linux.readonlyPaths, [...DOCKER_READONLY_PATHS]);
    });
  });
});
