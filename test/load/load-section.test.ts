import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MatrixError } from '../../pipeline/errors.ts';
import { loadMatrix } from '../../pipeline/load/load-matrix.ts';

const HEAD = ['schemaVersion: 1', 'name: load-test', 'axes:', '  runtime: [runc]', '  storageDriver: [copy]', '  filesystem: [ext4]', '  image: [tiny]', '  workload: [noop]', '  concurrency: [1]'];

describe('loadMatrix() with a load section', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-load-matrix-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, lines: string[]) => {
    const target = path.join(dir, name);
    writeFileSync(target, [...HEAD, ...lines, ''].join('\n'));
    return target;
  };

  it('fills in the documented defaults', async () => {
    const { matrix } = await loadMatrix(file('defaults.yaml', ['load:', '  runtimes: [{runtime: runc}, {runtime: docker, storageDriver: overlay2}]']));
    assert.deepEqual(matrix.load, {
      runtimes: [{ runtime: 'runc' }, { runtime: 'docker', storageDriver: 'overlay2' }],
      image: 'grader', workload: 'inginious-task', lifecycle: 'command', arrivals: 'poisson', ratesPerSecond: 'auto', autoRateCount: 5,
      calibrationSubmissions: 3, warmupS: 3, durationS: 20, maxDrainS: 10, sloP95Ms: 10000, repeats: 1,
      exam: { students: 300, submissionsPerStudent: 5, windowMinutes: 15 },
    });
  });

  it('takes explicit rates and slots', async () => {
    const { matrix } = await loadMatrix(file('rates.yaml', ['load:', '  runtimes: [{runtime: crun}]', '  ratesPerSecond: [0.5, 1, 2]', '  slots: 2']));
    assert.deepEqual([matrix.load?.ratesPerSecond, matrix.load?.slots], [[0.5, 1, 2], 2]);
  });

  it('rejects bad load parameters, each at its file:line:col, with exit 2', async () => {
    const target = file('bad.yaml', ['load:', '  runtimes: [{runtime: rnuc}]', '  ratesPerSecond: [1, -2]', '  durationS: 0', '  slot: 2']);
    await assert.rejects(loadMatrix(target), (error: unknown) => {
      assert.ok(error instanceof MatrixError);
      assert.equal(error.exitCode, 2);
      const at = error.problems.map((problem) => `${problem.code} ${problem.line}:${problem.col}`);
      assert.ok(at.includes('UNKNOWN_VALUE 11:24'), at.join(', '));
      assert.ok(at.includes('INVALID_VALUE 12:23'), at.join(', '));
      assert.ok(at.includes('INVALID_VALUE 13:14'), at.join(', '));
      assert.ok(at.includes('UNKNOWN_KEY 14:3'), at.join(', '));
      return true;
    });
  });
});
