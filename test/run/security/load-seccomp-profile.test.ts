import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CrbenchError } from '../../../pipeline/errors.ts';
import { dockerDefaultSecurity } from '../../../pipeline/run/security/container-security.ts';
import { loadSeccompProfile } from '../../../pipeline/run/security/load-seccomp-profile.ts';

describe('loadSeccompProfile()', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-seccomp-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a profile with the SHA-256 of its bytes', () => {
    const file = path.join(dir, 'p.json');
    const text = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] });
    writeFileSync(file, text);
    const loaded = loadSeccompProfile(file);
    assert.equal(loaded.sha256, createHash('sha256').update(text).digest('hex'));
    assert.equal(loaded.profile.defaultAction, 'SCMP_ACT_ERRNO');
  });

  it('names the package to install when the profile is missing, with exit 2', () => {
    const missing = path.join(dir, 'seccomp.json');
    assert.throws(() => loadSeccompProfile(missing), (error: unknown) => {
      assert.ok(error instanceof CrbenchError);
      assert.equal(error.code, 'SECCOMP_PROFILE_MISSING');
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /apt-get install containers-common/);
      assert.match(error.message, /golang-github-containers-common/);
      return true;
    });
  });

  it('refuses a file that is not JSON, or not in Docker\'s format', () => {
    writeFileSync(path.join(dir, 'a.json'), '{ not json');
    writeFileSync(path.join(dir, 'b.json'), '{"syscalls": []}');
    assert.throws(() => loadSeccompProfile(path.join(dir, 'a.json')), { code: 'SECCOMP_PROFILE_INVALID' });
    assert.throws(() => loadSeccompProfile(path.join(dir, 'b.json')), { code: 'SECCOMP_PROFILE_INVALID' });
  });

  it('lets no container be built without the profile', () => {
    assert.throws(() => dockerDefaultSecurity({ seccompProfilePath: path.join(dir, 'gone.json') }), { code: 'SECCOMP_PROFILE_MISSING' });
  });
});
