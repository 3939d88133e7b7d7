import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerSecurity } from '../../../pipeline/run/security/container-security.ts';
import { DOCKER_DEFAULT_CAPABILITIES } from '../../../pipeline/run/security/docker-defaults.ts';
import {
  dockerCliSecurityArgs, dockerSecurityOpt, OCI_EXEC_SECURITY_FLAGS, podmanSecurityArgs, RUNSC_SECURITY_FLAGS,
} from '../../../pipeline/run/security/runtime-options.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-options-'));
const SECURITY: ContainerSecurity = {
  seccompSource: { path: path.join(dir, 'seccomp.json'), sha256: '0'.repeat(64) },
  seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [] },
  capabilities: [...DOCKER_DEFAULT_CAPABILITIES],
  noNewPrivileges: true,
  maskedPaths: [],
  readonlyPaths: [],
};

describe('the runtimes\' security options', () => {
  before(() => writeFileSync(SECURITY.seccompSource.path, '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('make runsc load the OCI filter and keep CAP_NET_RAW', () => {
    assert.deepEqual([...RUNSC_SECURITY_FLAGS], ['--oci-seccomp', '--net-raw']);
  });

  it('make crun\'s exec set no_new_privs, which it does not take from the config', () => {
    assert.deepEqual(OCI_EXEC_SECURITY_FLAGS['crun'], ['--no-new-privs']);
    assert.deepEqual(OCI_EXEC_SECURITY_FLAGS['runc'], []);
  });

  it('give Docker\'s Engine API the profile\'s own text and no-new-privileges', () => {
    assert.deepEqual(dockerSecurityOpt(SECURITY), [`seccomp=${readFileSync(SECURITY.seccompSource.path, 'utf8')}`, 'no-new-privileges']);
  });

  it('give the docker command line the profile\'s path', () => {
    assert.deepEqual(dockerCliSecurityArgs(SECURITY), ['--security-opt', `seccomp=${SECURITY.seccompSource.path}`, '--security-opt', 'no-new-privileges']);
  });

  it('give Podman exactly Docker\'s capabilities, whatever its containers.conf says', () => {
    const args = podmanSecurityArgs(SECURITY);
    assert.deepEqual(args.slice(4), ['--cap-drop', 'all', '--cap-add', DOCKER_DEFAULT_CAPABILITIES.join(',')]);
    assert.ok(args.includes('no-new-privileges'));
  });
});
