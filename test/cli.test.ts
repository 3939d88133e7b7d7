import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = path.resolve('bin/crbench.js');
const INVALID = 'test/fixtures/matrices/invalid';

function crbench(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('the crbench command line', function () {
  this.timeout(120_000);

  it('prints its usage for --help and exits 0, and exits 2 when called with nothing', () => {
    const help = crbench('--help');
    assert.equal(help.status, 0);
    for (const command of ['validate', 'plan', 'run', 'report', 'teardown']) assert.match(help.stdout, new RegExp(`crbench ${command}`));
    assert.equal(crbench().status, 2);
  });

  it('gives every command its own --help', () => {
    for (const command of ['validate', 'plan', 'run', 'report', 'teardown', 'merge', 'doctor']) {
      const result = crbench(command, '--help');
      assert.equal(result.status, 0, command);
      assert.match(result.stdout, new RegExp(`^crbench ${command}`), command);
    }
  });

  it('exits 2 with a pointer to --help for an unknown command, an unknown option or a missing argument', () => {
    for (const args of [['frobnicate'], ['plan', 'experiments/quick.yaml', '--bogus'], ['validate'], ['run', 'experiments/quick.yaml']]) {
      const result = crbench(...args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /--help/, args.join(' '));
    }
  });

  it('validates the shipped matrices', () => {
    for (const matrix of ['experiments/quick.yaml', 'experiments/chapter5.yaml']) assert.equal(crbench('validate', matrix).status, 0, matrix);
  });

  it('rejects every invalid fixture with exit 2, file:line:col and no stack trace, in validate, plan and run alike', () => {
    const results = mkdtempSync(path.join(os.tmpdir(), 'crbench-cli-'));
    try {
      for (const fixture of readdirSync(INVALID)) {
        const file = path.join(INVALID, fixture);
        for (const args of [['validate', file], ['plan', file], ['run', file, '--results', path.join(results, fixture)]]) {
          const result = crbench(...args);
          assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
          assert.match(result.stderr, new RegExp(`^${file.replace(/[.]/g, '\\.')}:\\d+:\\d+ `, 'm'), args.join(' '));
          assert.doesNotMatch(result.stderr, /\n\s+at /, `${args.join(' ')} printed a stack trace`);
        }
      }
      assert.deepEqual(readdirSync(results), [], 'run provisioned or wrote results for an invalid matrix');
    } finally {
      rmSync(results, { recursive: true, force: true });
    }
  });

  it('says which line and column hold an unknown runtime, and what the choices are', () => {
    const result = crbench('validate', path.join(INVALID, 'unknown-runtime.yaml'));
    assert.match(result.stderr, /unknown-runtime\.yaml:4:\d+ .*dockr.*runc, crun/);
  });

  it('refuses a missing matrix file and a folder that holds no results, with exit 2', () => {
    assert.equal(crbench('validate', 'no/such/matrix.yaml').status, 2);
    const report = crbench('report', os.tmpdir(), '--out', path.join(os.tmpdir(), 'crbench-never'));
    assert.equal(report.status, 2);
    assert.match(report.stderr, /no manifest\.json/);
  });
});
