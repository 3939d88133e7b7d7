import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AGENT_MARKERS, agentBootConf, guestAgentScript, READY_LINE } from '../../../provision/vm/guest-agent.ts';

describe('guestAgentScript()', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync('/var/tmp/crbench-agent-'); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is valid busybox sh', () => {
    writeFileSync(path.join(dir, 'agent'), guestAgentScript());
    const checked = spawnSync('busybox', ['sh', '-n', path.join(dir, 'agent')], { encoding: 'utf8' });
    assert.equal(checked.status, 0, checked.stderr);
  });

  it('runs under the busybox it carries, and prints every marker of the protocol', () => {
    const script = guestAgentScript();
    assert.ok(script.startsWith('#!/.crbench/busybox sh\n'));
    for (const marker of [READY_LINE, ...Object.values(AGENT_MARKERS)]) assert.ok(script.includes(marker), marker);
  });

  it('refuses to boot, serve or power off anywhere but as a guest\'s PID 1', () => {
    writeFileSync(path.join(dir, 'agent'), guestAgentScript());
    for (const args of [[], ['serve', '256', 'exec', '']]) {
      const run = spawnSync('busybox', ['sh', path.join(dir, 'agent'), ...args], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(run.status, 1);
      assert.match(run.stderr, /not PID 1, refusing to (boot|serve)/);
      assert.match(run.stderr, /not PID 1, refusing to power off/);
    }
  });
});

describe('agentBootConf()', () => {
  it('lists the modules in load order and the kind of root', () => {
    assert.equal(agentBootConf({ modules: ['virtio_ring', 'virtio'], root: { kind: 'disk', fsType: 'squashfs' } }),
      "# written by provision/vm/guest-agent.ts\nCRBENCH_MODULES='virtio_ring virtio'\nCRBENCH_ROOT='disk'\nCRBENCH_DISK_FS='squashfs'\n");
  });

  it('refuses a module name the shell would split or expand', () => {
    assert.throws(() => agentBootConf({ modules: ["a'b"], root: { kind: 'initramfs' } }), /not a plain word/);
  });
});
