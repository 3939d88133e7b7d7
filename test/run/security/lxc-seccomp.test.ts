import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dockerDefaultSecurity } from '../../../pipeline/run/security/container-security.ts';
import type { OciSeccomp } from '../../../pipeline/run/security/convert-seccomp.ts';
import { SECCOMP_PROFILE_PATH } from '../../../pipeline/run/security/docker-defaults.ts';
import { buildLxcSeccompPolicy } from '../../../pipeline/run/security/lxc-seccomp.ts';

const FILTER: OciSeccomp = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['bpf'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
    { names: ['vhangup'], action: 'SCMP_ACT_ERRNO' },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 16, valueTwo: 0, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 1, valueTwo: 0, op: 'SCMP_CMP_EQ' }, { index: 1, value: 2, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['getpid'], action: 'SCMP_ACT_LOG' },
  ],
};

describe('buildLxcSeccompPolicy()', () => {
  it('writes an LXC v2 allowlist with the filter\'s default errno, its rules in order and their conditions as LXC parses them', () => {
    const policy = buildLxcSeccompPolicy(FILTER, 'from a test');
    assert.equal(policy.text, [
      '2',
      'allowlist errno 38',
      '# from a test',
      '[all]',
      'read allow',
      'write allow',
      'bpf errno 1',
      // An ERRNO without a value is EPERM, as runc makes it.
      'vhangup errno 1',
      'personality allow [0,8,SCMP_CMP_EQ]',
      // LXC wants the datum before the operator and the mask after it; OCI has the mask in value.
      'clone allow [0,0,SCMP_CMP_MASKED_EQ,2114060288]',
      // Conditions on distinct arguments: all of them, on one line.
      'socket allow [0,16,SCMP_CMP_EQ] [2,9,SCMP_CMP_EQ]',
      // Two conditions on one argument: either, on lines of their own (runc adds them as separate rules).
      'ioctl allow [1,1,SCMP_CMP_EQ]',
      'ioctl allow [1,2,SCMP_CMP_EQ]',
      '',
    ].join('\n'));
    assert.equal(policy.lines, 9);
  });

  it('names each rule LXC cannot express instead of writing less', () => {
    assert.deepEqual(buildLxcSeccompPolicy(FILTER, 'x').dropped, ['getpid SCMP_ACT_LOG: action SCMP_ACT_LOG']);
  });

  it('writes a denylist where the filter\'s default allows', () => {
    const policy = buildLxcSeccompPolicy({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['kexec_load'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }, 'x');
    assert.match(policy.text, /^2\ndenylist\n# x\n\[all\]\nkexec_load errno 1\n$/);
  });

  it('expresses Docker\'s whole default profile, argument conditions included', function () {
    if (!existsSync(SECCOMP_PROFILE_PATH)) this.skip();
    const policy = buildLxcSeccompPolicy(dockerDefaultSecurity().seccomp, 'x');
    assert.deepEqual(policy.dropped, []);
    assert.match(policy.text, /^personality allow \[0,131080,SCMP_CMP_EQ\]$/m);
    assert.ok(policy.lines > 400, `${policy.lines} lines`);
  });
});
