import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { convertSeccompProfile, countSeccompRules, kernelAtLeast, nativeSeccompArch, type DockerSeccompProfile } from '../../../pipeline/run/security/convert-seccomp.ts';
import { DOCKER_DEFAULT_CAPABILITIES, SECCOMP_PROFILE_PATH } from '../../../pipeline/run/security/docker-defaults.ts';
import { loadSeccompProfile } from '../../../pipeline/run/security/load-seccomp-profile.ts';

/** A profile in Docker's format with one rule of each kind the conversion has to decide on. */
const PROFILE: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['arm_fadvise64_64'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm', 'arm64'] } },
    { names: ['chroot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT'] } },
    { names: ['chroot'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_CHROOT'] } },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] } },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['landlock_create_ruleset'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '5.13' } },
    { names: ['legacy_only'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '5.13' } },
    { name: 'old_style', action: 'SCMP_ACT_ALLOW' },
  ],
};

const dockerCaps = [...DOCKER_DEFAULT_CAPABILITIES];
const amd64 = { arch: 'amd64', capabilities: dockerCaps, kernelRelease: '6.18.44-fc-v1045' };

describe('convertSeccompProfile()', () => {
  it('keeps the rules that apply to amd64 and Docker\'s capabilities, in order, with their errno values and arguments', () => {
    assert.deepEqual(convertSeccompProfile(PROFILE, amd64), {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 38,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
        { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW' },
        { names: ['chroot'], action: 'SCMP_ACT_ALLOW' },
        { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
        { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
        { names: ['landlock_create_ruleset'], action: 'SCMP_ACT_ALLOW' },
        { names: ['old_style'], action: 'SCMP_ACT_ALLOW' },
      ],
    });
  });

  it('follows the capabilities: CAP_SYS_ADMIN brings mount and drops the clone restrictions, no CAP_SYS_CHROOT refuses chroot', () => {
    const admin = convertSeccompProfile(PROFILE, { ...amd64, capabilities: [...dockerCaps.filter((cap) => cap !== 'CAP_SYS_CHROOT'), 'CAP_SYS_ADMIN'] });
    const rules = admin.syscalls.map((rule) => `${rule.names.join(',')} ${rule.action}`);
    assert.ok(rules.includes('mount SCMP_ACT_ALLOW'));
    assert.ok(rules.includes('chroot SCMP_ACT_ERRNO'));
    assert.ok(!rules.some((rule) => rule.startsWith('clone')), rules.join('; '));
  });

  it('picks the architecture\'s archMap entry and arch-only rules on arm64', () => {
    const arm = convertSeccompProfile(PROFILE, { ...amd64, arch: 'arm64' });
    assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    const names = arm.syscalls.flatMap((rule) => rule.names);
    assert.ok(names.includes('arm_fadvise64_64') && !names.includes('arch_prctl'));
  });

  it('keeps a minKernel rule from that kernel on and an excluded one below it, comparing version and major revision only', () => {
    const old = convertSeccompProfile(PROFILE, { ...amd64, kernelRelease: '5.10.0-28-amd64' }).syscalls.flatMap((rule) => rule.names);
    assert.ok(old.includes('legacy_only') && !old.includes('landlock_create_ruleset'));
    assert.equal(kernelAtLeast('5.13.0-rc5', '5.13'), true);
    assert.equal(kernelAtLeast('5.12.99', '5.13'), false);
    assert.equal(kernelAtLeast('6.1', '5.13'), true);
  });

  it('refuses a profile that names both architectures and archMap, or both name and names, with exit 2', () => {
    assert.throws(() => convertSeccompProfile({ ...PROFILE, architectures: ['SCMP_ARCH_X86_64'] }, amd64), { code: 'SECCOMP_PROFILE_INVALID', exitCode: 2 });
    assert.throws(() => convertSeccompProfile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] }, amd64),
      { code: 'SECCOMP_PROFILE_INVALID' });
  });

  it('maps Node\'s x64 to libseccomp\'s amd64', () => {
    assert.equal(nativeSeccompArch('x64'), 'amd64');
    assert.equal(nativeSeccompArch('arm64'), 'arm64');
  });
});

describe('countSeccompRules()', () => {
  it('counts distinct system calls allowed outright, allowed for some arguments, and refused', () => {
    assert.deepEqual(countSeccompRules(convertSeccompProfile(PROFILE, amd64)), {
      syscallsAllowed: 6, syscallsAllowedConditionally: 2, syscallsDenied: 1, argumentRules: 2,
    });
  });
});

/** The profile Debian 12's golang-github-containers-common 0.50.1+ds1-4 ships. */
const DEBIAN_12_PROFILE_SHA256 = 'cc374cf23846ce1f62f4dc807a8e2b8673c783c6f56cb475467621035d281e6c';

describe('convertSeccompProfile() on Docker\'s default profile as Debian ships it', function () {
  before(function () {
    if (!existsSync(SECCOMP_PROFILE_PATH)) this.skip();
  });

  it('gives an ENOSYS allowlist for x86-64 and its compat arches, with Docker\'s capabilities', () => {
    const loaded = loadSeccompProfile();
    const filter = convertSeccompProfile(loaded.profile, amd64);
    assert.equal(filter.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(filter.defaultErrnoRet, 38);
    assert.deepEqual(filter.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const names = filter.syscalls.filter((rule) => rule.action === 'SCMP_ACT_ALLOW').flatMap((rule) => rule.names);
    for (const needed of ['read', 'execve', 'clone', 'wait4', 'exit_group', 'chroot']) assert.ok(names.includes(needed), needed);
    // Refused without CAP_SYS_ADMIN / CAP_SYS_MODULE, which Docker does not give.
    const refused = filter.syscalls.filter((rule) => rule.action === 'SCMP_ACT_ERRNO').flatMap((rule) => rule.names);
    for (const denied of ['bpf', 'init_module', 'kexec_load', 'open_by_handle_at']) assert.ok(refused.includes(denied), denied);
  });

  it('keeps 19 of its 35 rules: 378 system calls allowed, 1 for some arguments (personality), 50 refused', function () {
    const loaded = loadSeccompProfile();
    if (loaded.sha256 !== DEBIAN_12_PROFILE_SHA256) this.skip();
    assert.equal(loaded.profile.syscalls?.length, 35);
    const filter = convertSeccompProfile(loaded.profile, amd64);
    assert.equal(filter.syscalls.length, 19);
    assert.deepEqual(countSeccompRules(filter), { syscallsAllowed: 378, syscallsAllowedConditionally: 1, syscallsDenied: 50, argumentRules: 5 });
  });
});
