import { strict as assert } from 'node:assert';
import { buildSecurityProfile } from '../../pipeline/report/build-security-profile.ts';
import type { Manifest, SecurityProfileRecord } from '../../pipeline/types.ts';
import { loadResultsFixture } from '../fixtures/results/load-fixture.ts';
import { plain, textOf } from './report-fixture.ts';

const PROFILE: SecurityProfileRecord = {
  seccompSource: '/usr/share/containers/seccomp.json',
  seccompSha256: 'cc374cf23846ce1f62f4dc807a8e2b8673c783c6f56cb475467621035d281e6c',
  seccompNote: "Docker's policy as Podman ships it",
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  architectures: ['SCMP_ARCH_X86_64'],
  syscallsAllowed: 378,
  syscallsAllowedConditionally: 1,
  syscallsDenied: 50,
  capabilities: ['CAP_CHOWN', 'CAP_KILL'],
  capEff: '00000000a80425fb',
  noNewPrivileges: true,
  maskedPaths: ['/proc/kcore'],
  readonlyPaths: ['/proc/sys'],
  apparmor: { enabled: false, dockerDefaultApplies: false },
  runtimes: {
    runc: { profile: 'docker-default', how: 'config.json', gaps: [] },
    runsc: { profile: 'docker-default', how: 'config.json', gaps: ['a runsc exec is not filtered'] },
  },
};

describe('buildSecurityProfile()', () => {
  const { manifest } = loadResultsFixture();

  it('names the seccomp file and its hash, the counts, and per runtime what differs from the profile', () => {
    const blocks = buildSecurityProfile({ ...manifest, securityProfile: PROFILE } as Manifest);
    const text = textOf(blocks).join('\n');
    assert.match(text, /\/usr\/share\/containers\/seccomp\.json \(SHA-256 cc374cf23846ce1f…; default action SCMP_ACT_ERRNO with errno 38, 378 system calls allowed/);
    assert.match(text, /2 capabilities \(CapEff 00000000a80425fb\), no_new_privs/);
    const table = blocks.find((block) => block.kind === 'table');
    assert.ok(table && table.kind === 'table');
    assert.deepEqual(table.rows.map((row) => row.map(plain)), [['runc', 'the profile', 'nothing'], ['runsc', 'the profile', 'a runsc exec is not filtered']]);
  });

  it('says nothing for a manifest without a profile', () => {
    assert.deepEqual(buildSecurityProfile({ ...manifest, securityProfile: undefined } as Manifest), []);
  });
});
