import assert from 'node:assert/strict';
import { STORAGE_DRIVERS } from '../../pipeline/run/storage/index.ts';
import { WORKLOADS } from '../../pipeline/run/workloads/index.ts';
import { buildOciConfig } from '../../pipeline/run/oci-config.ts';
import { DEFAULT_LIMITS } from '../../pipeline/run/limits.ts';

describe('the copy storage driver', () => {
  const copy = STORAGE_DRIVERS['copy'];

  it('deep-copies the image for each container, never reflinking', () => {
    assert.deepEqual(copy?.prepare('/m/images/tiny/rootfs', '/m/containers/c/rootfs'),
      [{ kind: 'run', argv: ['cp', '-a', '--reflink=never', '/m/images/tiny/rootfs', '/m/containers/c/rootfs'] }]);
  });

  it('imports an image by unpacking its tarball onto the volume, and cleans by removing the copy', () => {
    assert.deepEqual(copy?.importImage('/cache/tiny.tar', '/m/images/tiny/rootfs').map((step) => step.kind === 'run' && step.argv[0]), ['mkdir', 'tar']);
    assert.deepEqual(copy?.remove('/m/containers/c/rootfs'), [{ kind: 'run', argv: ['rm', '-rf', '/m/containers/c/rootfs'] }]);
  });
});

describe('the noop workload', () => {
  const noop = WORKLOADS['noop'];
  const record = { argv: [], durationMs: 1, signal: null, stderr: '' };

  it('counts a silent exit 0 and rejects anything else, saying what it got', () => {
    assert.equal(noop?.check({ ...record, exitCode: 0, stdout: '' }), null);
    assert.match(noop?.check({ ...record, exitCode: 1, stdout: '' }) ?? '', /got exit 1/);
  });
});

describe('buildOciConfig()', () => {
  it('applies the memory and pids limits and gives the container its own network namespace', () => {
    const config = buildOciConfig({ hostname: 'h', limits: DEFAULT_LIMITS }) as {
      linux: { resources: { memory: { limit: number }; pids: { limit: number } }; namespaces: { type: string }[] };
      process: { terminal: boolean };
    };
    assert.equal(config.linux.resources.memory.limit, DEFAULT_LIMITS.memoryBytes);
    assert.equal(config.linux.resources.pids.limit, DEFAULT_LIMITS.pids);
    assert.ok(config.linux.namespaces.some((namespace) => namespace.type === 'network'));
    assert.equal(config.process.terminal, false);
  });
});
