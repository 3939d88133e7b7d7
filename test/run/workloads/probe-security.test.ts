import assert from 'node:assert/strict';
import { WORKLOADS } from '../../../pipeline/run/workloads/index.ts';
import { parseSecurityFacts, probeSecurity, securityFacts } from '../../../pipeline/run/workloads/probe-security.ts';
import type { CommandRecord } from '../../../pipeline/types.ts';

/** The lines of /proc/self/status that matter, then /proc/self/uid_map, as runc exec printed them on the reference host. */
const RUNC_OUTPUT = [
  'Name:\tbusybox', 'Umask:\t0022', 'State:\tR (running)', 'Uid:\t0\t0\t0\t0', 'CapInh:\t0000000000000000',
  'CapPrm:\t00000000a80425fb', 'CapEff:\t00000000a80425fb', 'CapBnd:\t00000000a80425fb', 'CapAmb:\t0000000000000000',
  'NoNewPrivs:\t1', 'Seccomp:\t2', 'Seccomp_filters:\t1', 'Speculation_Store_Bypass:\tthread vulnerable',
  '         0          0 4294967295', '',
].join('\n');

/** lxc exec in an unprivileged LXD 5.0 container on the reference host: every capability, but inside a user namespace. */
const LXD_OUTPUT = RUNC_OUTPUT.replace(/a80425fb/g, 'ffffffff').replace('CapEff:\t00000000ffffffff', 'CapEff:\t000001ffffffffff')
  .replace('NoNewPrivs:\t1', 'NoNewPrivs:\t0').replace('         0          0 4294967295', '         0     100000   10000001');

/** gVisor's /proc/self/status: no NoNewPrivs line, and no seccomp filter for a process started by runsc exec. */
const RUNSC_OUTPUT = ['Name:\tbusybox', 'CapInh:\t0000000000000000', 'CapPrm:\t00000000a80425fb', 'CapEff:\t00000000a80425fb',
  'CapBnd:\t00000000a80425fb', 'Seccomp:\t0', 'Cpus_allowed:\t3', '         0          0 4294967295', ''].join('\n');

const ran = (fields: Partial<CommandRecord>): CommandRecord => ({ argv: [], durationMs: 1, exitCode: 0, signal: null, stdout: '', stderr: '', ...fields });

describe('securityFacts()', () => {
  it('reads the seccomp mode, no_new_privs, CapEff and the root mapping of a runc container', () => {
    assert.deepEqual(securityFacts(RUNC_OUTPUT), { seccomp: 2, noNewPrivs: 1, capEff: '00000000a80425fb', userNamespace: false });
  });

  it('sees the user namespace of an unprivileged LXD container: uid 0 is host uid 100000', () => {
    assert.deepEqual(securityFacts(LXD_OUTPUT), { seccomp: 2, noNewPrivs: 0, capEff: '000001ffffffffff', userNamespace: true });
  });

  it('leaves noNewPrivs out where the kernel does not report it (gVisor)', () => {
    assert.deepEqual(securityFacts(RUNSC_OUTPUT), { seccomp: 0, capEff: '00000000a80425fb', userNamespace: false });
  });

  it('counts uid 0 that is not mapped at all as a user namespace, and a mapping from a range starting below it', () => {
    assert.equal(securityFacts(RUNC_OUTPUT.replace('         0          0 4294967295', '1000 1000 1')).userNamespace, true);
    assert.equal(securityFacts(RUNC_OUTPUT.replace('         0          0 4294967295', '0 0 1\n1 100000 65535')).userNamespace, false);
  });

  it('throws, saying what is missing, on output it cannot read', () => {
    assert.throws(() => securityFacts('hello\n'), /no Seccomp: 0\|1\|2 line/);
    assert.throws(() => securityFacts(RUNC_OUTPUT.replace(/^CapEff:.*$/m, '')), /no CapEff/);
    assert.throws(() => securityFacts(RUNC_OUTPUT.replace('         0          0 4294967295', '')), /no \/proc\/self\/uid_map line/);
    assert.ok('error' in parseSecurityFacts(RUNC_OUTPUT.replace('NoNewPrivs:\t1', 'NoNewPrivs:\t7')));
  });
});

describe('the probe-security workload', () => {
  it('is registered and prints its own status and uid map with busybox', () => {
    assert.equal(WORKLOADS['probe-security'], probeSecurity);
    assert.deepEqual(probeSecurity.argv, ['/bin/busybox', 'cat', '/proc/self/status', '/proc/self/uid_map']);
  });

  it('counts a run whose facts can be read, and gives them for the execute sample', () => {
    const record = ran({ stdout: RUNC_OUTPUT });
    assert.equal(probeSecurity.check(record), null);
    assert.deepEqual(probeSecurity.facts?.(record), { seccomp: 2, noNewPrivs: 1, capEff: '00000000a80425fb', userNamespace: false });
  });

  it('fails a run whose output cannot be read, or that did not exit 0, and gives no facts then', () => {
    assert.match(probeSecurity.check(ran({ stdout: 'cat: can\'t open \'/proc/self/uid_map\'\n' })) ?? '', /^cannot read the security facts: no Seccomp/);
    assert.match(probeSecurity.check(ran({ stdout: RUNC_OUTPUT, exitCode: 1 })) ?? '', /expected exit 0, got exit 1/);
    assert.deepEqual(probeSecurity.facts?.(ran({ stdout: 'garbage' })), {});
  });
});
