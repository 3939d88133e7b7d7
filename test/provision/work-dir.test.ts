import assert from 'node:assert/strict';
import { assertUnderWorkDir, isUnderWorkDir, resolveWorkDir } from '../../provision/work-dir.ts';

describe('resolveWorkDir()', () => {
  it('defaults to /var/lib/crbench', () => {
    assert.equal(resolveWorkDir({}), '/var/lib/crbench');
  });

  it('refuses a relative path', () => {
    assert.throws(() => resolveWorkDir({ CRBENCH_WORK_DIR: 'work' }), { code: 'WORK_DIR_NOT_ABSOLUTE' });
  });

  it('refuses system directories that teardown would empty, also when spelled with ..', () => {
    for (const dir of ['/', '/etc', '/var/lib/..', '/home/', '/tmp']) {
      assert.throws(() => resolveWorkDir({ CRBENCH_WORK_DIR: dir }), { code: 'WORK_DIR_FORBIDDEN' }, dir);
    }
  });
});

describe('isUnderWorkDir()', () => {
  it('accepts paths strictly below the work directory', () => {
    assert.equal(isUnderWorkDir('/var/lib/crbench', '/var/lib/crbench/volumes/a.img'), true);
  });

  it('rejects the work directory itself, siblings with a common prefix, and escapes through ..', () => {
    assert.equal(isUnderWorkDir('/var/lib/crbench', '/var/lib/crbench'), false);
    assert.equal(isUnderWorkDir('/var/lib/crbench', '/var/lib/crbench-other/a.img'), false);
    assert.equal(isUnderWorkDir('/var/lib/crbench', '/var/lib/crbench/../../../etc/passwd'), false);
  });

  it('makes assertUnderWorkDir throw OUTSIDE_WORK_DIR with the path in the message', () => {
    assert.throws(() => assertUnderWorkDir('/var/lib/crbench', '/dev/sda', 'format'), (error: Error & { code: string }) =>
      error.code === 'OUTSIDE_WORK_DIR' && error.message.includes('/dev/sda'));
  });
});
