import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { apparmorEnabled, describeSecurityProfile } from '../../../pipeline/run/security/describe-security-profile.ts';
import { DOCKER_DEFAULT_CAPABILITIES, SECCOMP_PROFILE_PATH } from '../../../pipeline/run/security/docker-defaults.ts';
import { loadSeccompProfile } from '../../../pipeline/run/security/load-seccomp-profile.ts';

describe('describeSecurityProfile()', function () {
  before(function () {
    if (!existsSync(SECCOMP_PROFILE_PATH)) this.skip();
  });

  it('records the profile file with its hash, what the filter allows, the capabilities with their CapEff, and the paths', () => {
    const record = describeSecurityProfile({ apparmor: false });
    assert.equal(record.seccompSource, SECCOMP_PROFILE_PATH);
    assert.equal(record.seccompSha256, loadSeccompProfile().sha256);
    assert.match(record.seccompNote, /differs from it in 39 system calls/);
    assert.equal(record.defaultAction, 'SCMP_ACT_ERRNO');
    assert.ok(record.syscallsAllowed > 300, String(record.syscallsAllowed));
    assert.deepEqual(record.capabilities, [...DOCKER_DEFAULT_CAPABILITIES]);
    assert.equal(record.capEff, '00000000a80425fb');
    assert.equal(record.noNewPrivileges, true);
    assert.ok(record.maskedPaths.includes('/proc/kcore') && record.readonlyPaths.includes('/proc/sys'));
    assert.deepEqual(record.apparmor, { enabled: false, dockerDefaultApplies: false });
  });

  it('says per runtime how it applies the profile, and that LXD keeps its own', () => {
    const { runtimes } = describeSecurityProfile({ apparmor: false });
    assert.deepEqual(Object.keys(runtimes), ['runc', 'crun', 'runsc', 'docker', 'docker-cli', 'podman', 'lxc', 'lxd']);
    assert.equal(runtimes['lxd']?.profile, 'own');
    assert.match(runtimes['runsc']?.how ?? '', /--oci-seccomp/);
    assert.match(runtimes['runsc']?.gaps.join('\n') ?? '', /runsc exec.*runs unfiltered/);
    assert.match(runtimes['crun']?.how ?? '', /--no-new-privs/);
    assert.deepEqual(runtimes['runc']?.gaps, []);
    assert.ok(!runtimes['lxc']?.gaps.some((gap) => /not expressible/.test(gap)));
  });

  it('describes an engine with another OCI runtime behind it, and only the runtimes asked for', () => {
    const { runtimes } = describeSecurityProfile({ runtimes: ['docker+runsc', 'docker+crun', 'nothing'], apparmor: false });
    assert.deepEqual(Object.keys(runtimes), ['docker+runsc', 'docker+crun']);
    assert.match(runtimes['docker+runsc']?.how ?? '', /runtimeArgs --oci-seccomp --net-raw/);
    assert.ok((runtimes['docker+runsc']?.gaps.length ?? 0) > (runtimes['docker+crun']?.gaps.length ?? 0));
  });

  it('notes that AppArmor would make Docker\'s confinement differ, where the kernel has it enabled', () => {
    const record = describeSecurityProfile({ apparmor: true });
    assert.deepEqual(record.apparmor, { enabled: true, dockerDefaultApplies: true });
    assert.match(record.runtimes['runc']?.gaps.join('\n') ?? '', /AppArmor is enabled/);
  });
});

describe('apparmorEnabled()', () => {
  it('reads the kernel\'s switch, and takes a missing module for disabled', () => {
    assert.equal(apparmorEnabled(() => 'Y\n'), true);
    assert.equal(apparmorEnabled(() => 'N\n'), false);
    assert.equal(apparmorEnabled(() => { throw new Error('ENOENT'); }), false);
  });
});
