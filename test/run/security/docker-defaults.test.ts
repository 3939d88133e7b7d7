import assert from 'node:assert/strict';
import { capabilityMask, capabilityNames, DOCKER_DEFAULT_CAPABILITIES } from '../../../pipeline/run/security/docker-defaults.ts';

describe('capabilityMask()', () => {
  it('gives Docker\'s default set the CapEff every Docker container shows, 00000000a80425fb', () => {
    assert.equal(DOCKER_DEFAULT_CAPABILITIES.length, 14);
    assert.equal(capabilityMask(DOCKER_DEFAULT_CAPABILITIES), '00000000a80425fb');
  });

  it('gives gVisor\'s set without CAP_NET_RAW the mask runsc showed without --net-raw', () => {
    assert.equal(capabilityMask(DOCKER_DEFAULT_CAPABILITIES.filter((cap) => cap !== 'CAP_NET_RAW')), '00000000a80405fb');
  });

  it('refuses a name it does not know', () => {
    assert.throws(() => capabilityMask(['CAP_FLY']), /unknown capability CAP_FLY/);
  });
});

describe('capabilityNames()', () => {
  it('reads a mask back into names, in bit order', () => {
    assert.deepEqual(capabilityNames('00000000a80425fb'), [
      'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP',
      'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SYS_CHROOT', 'CAP_MKNOD', 'CAP_AUDIT_WRITE', 'CAP_SETFCAP',
    ]);
    assert.deepEqual(capabilityNames('0000000000000003'), ['CAP_CHOWN', 'CAP_DAC_OVERRIDE']);
  });
});
