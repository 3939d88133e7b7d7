import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrbenchError, MatrixError } from '../../pipeline/errors.ts';
import { loadMatrix } from '../../pipeline/load/load-matrix.ts';
import { PROBLEM_CODES, type ProblemCode } from '../../pipeline/load/problem-codes.ts';
import type { Matrix, MatrixProblem } from '../../pipeline/types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const experiments = path.resolve(here, '../../experiments');
const fixtures = path.resolve(here, '../fixtures/matrices');
const valid = (name: string) => path.join(fixtures, 'valid', name);
const invalid = (name: string) => path.join(fixtures, 'invalid', name);

/** The problems loadMatrix throws for `file`; fails the test when it loads instead. */
async function problemsOf(file: string): Promise<MatrixProblem[]> {
  try {
    await loadMatrix(file);
  } catch (error) {
    assert.ok(error instanceof MatrixError, `expected a MatrixError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail(`${file} loaded, but should have been rejected`);
}

/** `CODE line:col`, the part of a problem that tests pin down (the wording may change). */
const where = (problem: MatrixProblem) => `${problem.code} ${problem.line}:${problem.col}`;

const AXES_OF_QUICK: Matrix['axes'] = {
  runtime: ['runc', 'crun'],
  storageDriver: ['copy'],
  filesystem: ['ext4', 'xfs', 'btrfs'],
  image: ['tiny'],
  workload: ['noop'],
  lifecycle: ['exec', 'command'],
  netns: ['fresh'],
  cgroup: ['fresh'],
  concurrency: [1],
};

describe('loadMatrix()', () => {
  describe('the shipped matrices', () => {
    it('loads quick.yaml: runc and crun on ext4, xfs and btrfs in both shapes, eight repetitions of a short phase timeout', async () => {
      const { matrix } = await loadMatrix(path.join(experiments, 'quick.yaml'));
      assert.equal(matrix.name, 'quick');
      assert.deepEqual(matrix.axes, AXES_OF_QUICK);
      assert.equal(matrix.repetitions, 8);
      assert.equal(matrix.warmup, 1);
      assert.equal(matrix.volumeSizeMiB, 512);
      assert.equal(matrix.phaseTimeoutMs, 30000);
      assert.equal(matrix.seed, 1, 'the seed is left to its default');
    });

    it('loads chapter5.yaml: parts that span every runtime, driver, filesystem, image, workload and more than one concurrency', async () => {
      const { matrix } = await loadMatrix(path.join(experiments, 'chapter5.yaml'));
      const schema = JSON.parse(readFileSync(path.join(experiments, 'matrix.schema.json'), 'utf8')) as { definitions: { axes: { properties: Record<string, { items: { enum?: string[] } }> } } };
      assert.equal(matrix.name, 'chapter5');
      for (const part of ['startup', 'reference', 'grading', 'inginious', 'exam', 'isolation', 'image-size', 'sock-levers', 'vm', 'zfs-fuse']) {
        assert.ok(matrix.parts?.some((candidate) => candidate.name === part), part);
      }
      assert.ok(matrix.load !== undefined, 'the open-loop exam load');
      for (const axis of ['runtime', 'storageDriver', 'filesystem', 'image', 'workload'] as const) {
        // Every engine; an OCI runtime behind an engine (docker+crun) is a choice of the matrix, not a must.
        const values = (schema.definitions.axes.properties[axis]?.items.enum ?? []).filter((value) => axis !== 'runtime' || !value.includes('+'));
        assert.deepEqual([...matrix.axes[axis]].filter((value) => !value.includes('+')).sort(), [...values].sort(), axis);
      }
      assert.ok(matrix.axes.concurrency.length > 1);
      assert.equal(matrix.blockRepetitions, matrix.repetitions);
    });

    it('starts each shipped matrix with the schema comment editors pick up', async () => {
      for (const name of ['quick.yaml', 'chapter5.yaml']) {
        const text = await readFile(path.join(experiments, name), 'utf8');
        assert.ok(text.startsWith('# yaml-language-server: $schema=./matrix.schema.json\n'), name);
      }
    });
  });

  describe('a valid matrix', () => {
    it('fills in every default the file leaves out', async () => {
      const { matrix } = await loadMatrix(valid('minimal.yaml'));
      assert.deepEqual(matrix, {
        schemaVersion: 1,
        name: 'minimal',
        axes: { runtime: ['runc'], storageDriver: ['copy'], filesystem: ['ext4'], image: ['tiny'], workload: ['noop'], lifecycle: ['exec'], netns: ['fresh'], cgroup: ['fresh'], concurrency: [1] },
        repetitions: 5,
        warmup: 1,
        blockRepetitions: 5,
        volumeSizeMiB: 1024,
        phaseTimeoutMs: 60000,
        seed: 1,
        regressionThresholdPercent: 10,
        hosts: 'one',
        parts: [{
          name: 'minimal',
          axes: { runtime: ['runc'], storageDriver: ['copy'], filesystem: ['ext4'], image: ['tiny'], workload: ['noop'], lifecycle: ['exec'], netns: ['fresh'], cgroup: ['fresh'], concurrency: [1] },
        }],
      });
    });

    it('unites the axes of several parts in first-listed order, each part kept as written', async () => {
      const { matrix } = await loadMatrix(valid('parts.yaml'));
      assert.deepEqual(matrix.parts?.map((part) => part.name), ['startup', 'grading']);
      assert.deepEqual(matrix.axes.runtime, ['runc', 'crun', 'runsc']);
      assert.deepEqual(matrix.axes.image, ['tiny', 'grader']);
    });

    it('reads block-style lists like flow-style ones, keeping the listed order', async () => {
      const { matrix } = await loadMatrix(valid('block-lists.yaml'));
      assert.deepEqual(matrix.axes.runtime, ['crun', 'runc']);
      assert.deepEqual(matrix.axes.filesystem, ['btrfs', 'ext4']);
      assert.equal(matrix.description, 'Written the long way round, to check that block style loads like flow style.\n');
      assert.equal(matrix.warmup, 0, 'an explicit 0 is kept, not replaced by the default');
      assert.equal(matrix.seed, 4294967295);
    });

    it('returns the path, the text and the sha256 of the file bytes', async () => {
      const file = path.join(experiments, 'quick.yaml');
      const { source } = await loadMatrix(file);
      const bytes = await readFile(file);
      assert.equal(source.path, file);
      assert.equal(source.text, bytes.toString('utf8'));
      assert.equal(source.sha256, createHash('sha256').update(bytes).digest('hex'));
      assert.match(source.sha256, /^[0-9a-f]{64}$/);
    });
  });

  describe('an invalid matrix', () => {
    const cases: { fixture: string; should: string; expected: `${ProblemCode} ${number}:${number}`[] }[] = [
      { fixture: 'yaml-syntax.yaml', should: 'reports a YAML syntax error where the parser stopped', expected: ['YAML_SYNTAX 4:23'] },
      { fixture: 'tab-indent.yaml', should: 'reports a tab used for indentation at its line and column', expected: ['TAB_INDENT 6:1'] },
      {
        fixture: 'tab-and-more.yaml',
        should: 'reports a tab after spaces at the tab, and still checks the rest of the file',
        expected: ['TAB_INDENT 6:3', 'UNKNOWN_VALUE 6:17', 'OUT_OF_RANGE 10:14'],
      },
      { fixture: 'duplicate-key.yaml', should: 'reports a duplicate key at its second occurrence', expected: ['DUPLICATE_KEY 11:1'] },
      { fixture: 'unknown-top-level-key.yaml', should: 'reports an unknown top-level key at the key', expected: ['UNKNOWN_KEY 10:1'] },
      { fixture: 'unknown-axis-key.yaml', should: 'reports an unknown key in axes at the key', expected: ['UNKNOWN_KEY 4:3'] },
      { fixture: 'axes-and-parts.yaml', should: 'reports both axes and parts at parts, and an unknown runtime inside a part at that item', expected: ['UNKNOWN_KEY 10:1', 'UNKNOWN_VALUE 13:17'] },
      { fixture: 'missing-axes.yaml', should: 'reports missing axes at the mapping that lacks them', expected: ['MISSING_KEY 2:1'] },
      { fixture: 'string-repetitions.yaml', should: 'reports a string where repetitions needs an integer, at the value', expected: ['WRONG_TYPE 10:14'] },
      { fixture: 'empty-axis.yaml', should: 'reports an empty axis at its empty list', expected: ['EMPTY_AXIS 6:15'] },
      { fixture: 'unknown-runtime.yaml', should: 'reports an unknown runtime at that list item', expected: ['UNKNOWN_VALUE 4:19'] },
      { fixture: 'unknown-storage-driver.yaml', should: 'reports an unknown storage driver in a block list at that item', expected: ['UNKNOWN_VALUE 7:7'] },
      { fixture: 'unknown-filesystem.yaml', should: 'reports an unknown filesystem at that list item', expected: ['UNKNOWN_VALUE 6:22'] },
      { fixture: 'negative-repetitions.yaml', should: 'reports negative repetitions as out of range', expected: ['OUT_OF_RANGE 10:14'] },
      { fixture: 'absurd-volume-size.yaml', should: 'reports an absurd volumeSizeMiB as out of range', expected: ['OUT_OF_RANGE 10:16'] },
      { fixture: 'duplicate-axis-value.yaml', should: 'reports a value listed twice in an axis at the repeat', expected: ['DUPLICATE_VALUE 4:25'] },
      { fixture: 'path-traversal-name.yaml', should: 'rejects a name that would climb out of the results folder', expected: ['BAD_NAME 2:7'] },
      { fixture: 'path-traversal-runtime.yaml', should: 'rejects an axis value that is a path, at that value', expected: ['BAD_NAME 4:19'] },
      { fixture: 'wrong-schema-version.yaml', should: 'rejects a schemaVersion other than 1', expected: ['UNKNOWN_VALUE 1:16'] },
      { fixture: 'not-a-mapping.yaml', should: 'reports a document that is a list instead of a mapping', expected: ['NOT_A_MAPPING 2:1'] },
      { fixture: 'empty.yaml', should: 'reports a file with nothing but a comment as not a mapping', expected: ['NOT_A_MAPPING 1:1'] },
      { fixture: 'alias-bomb.yaml', should: 'refuses aliases that expand without bound instead of hanging', expected: ['YAML_SYNTAX 1:1'] },
      {
        fixture: 'several-problems.yaml',
        should: 'reports every problem of a file at once, sorted by line and column',
        expected: [
          'BAD_NAME 2:7',
          'MISSING_KEY 4:3',
          'UNKNOWN_VALUE 4:19',
          'DUPLICATE_VALUE 6:22',
          'OUT_OF_RANGE 8:17',
          'OUT_OF_RANGE 9:14',
          'UNKNOWN_KEY 10:1',
        ],
      },
    ];

    for (const { fixture, should, expected } of cases) {
      it(should, async () => {
        const problems = await problemsOf(invalid(fixture));
        assert.deepEqual(problems.map(where), expected);
        for (const problem of problems) {
          assert.equal(problem.file, invalid(fixture));
          assert.ok((PROBLEM_CODES as readonly string[]).includes(problem.code), problem.code);
          assert.ok(problem.message.length > 0);
        }
      });
    }

    it('throws a MatrixError with exit code 2 whose message has one file:line:col line per problem', async () => {
      const file = invalid('several-problems.yaml');
      const error = await loadMatrix(file).then(
        () => assert.fail('should not load'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof MatrixError);
      assert.equal(error.code, 'MATRIX_INVALID');
      assert.equal(error.exitCode, 2);
      assert.deepEqual(
        error.message.split('\n').map((line) => line.slice(0, line.indexOf(' '))),
        error.problems.map((problem) => `${file}:${problem.line}:${problem.col}`),
      );
    });

    it('suggests the key a typo most likely meant', async () => {
      const [problem] = await problemsOf(invalid('unknown-top-level-key.yaml'));
      assert.match(problem?.message ?? '', /'repetitions'/);
    });

    it('lists the allowed values when a runtime is unknown', async () => {
      const [problem] = await problemsOf(invalid('unknown-runtime.yaml'));
      assert.match(problem?.message ?? '', /'dockr'.*runc, crun/);
    });

    it('gives one problem per spot when a value breaks several rules', async () => {
      const problems = await problemsOf(invalid('path-traversal-runtime.yaml'));
      assert.equal(problems.length, 1, 'an unsafe runtime name is not also reported as an unknown runtime');
    });
  });

  describe('a file that cannot be used as it is', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'crbench-load-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('rejects a file over 1 MiB at 1:1 without parsing it', async () => {
      const file = path.join(dir, 'huge.yaml');
      // Broken YAML: if it were parsed, syntax errors would show up beside FILE_TOO_LARGE.
      await writeFile(file, '{'.repeat(1024 * 1024 + 1));
      const problems = await problemsOf(file);
      assert.deepEqual(problems.map(where), ['FILE_TOO_LARGE 1:1']);
    });

    it('loads a file of exactly 1 MiB', async () => {
      const file = path.join(dir, 'padded.yaml');
      const text = await readFile(valid('minimal.yaml'), 'utf8');
      await writeFile(file, text + '#'.repeat(1024 * 1024 - Buffer.byteLength(text)));
      const { matrix } = await loadMatrix(file);
      assert.equal(matrix.name, 'minimal');
    });

    it('throws MATRIX_UNREADABLE with exit code 2 for a missing file', async () => {
      const file = path.join(dir, 'missing.yaml');
      await assert.rejects(loadMatrix(file), (error: unknown) => {
        assert.ok(error instanceof CrbenchError);
        assert.equal(error.code, 'MATRIX_UNREADABLE');
        assert.equal(error.exitCode, 2);
        assert.ok(error.message.startsWith(`${file}: cannot read: `), error.message);
        return true;
      });
    });

    it('throws MATRIX_UNREADABLE for a directory', async () => {
      await assert.rejects(loadMatrix(dir), { code: 'MATRIX_UNREADABLE' });
    });
  });
});
