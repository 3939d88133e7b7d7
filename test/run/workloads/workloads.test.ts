import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LARGE_FILE, largeFileBytes, TASKS_SOURCE_DIR } from '../../../provision/images/workload-assets.ts';
import { COPY_UP_BLOCK, COPY_UP_SCRIPT, expectedCopyUpMd5 } from '../../../pipeline/run/workloads/copy-up.ts';
import { CPU_ITERATIONS, CPU_PROGRAM, cpuChecksum } from '../../../pipeline/run/workloads/cpu.ts';
import { expectOutput } from '../../../pipeline/run/workloads/expect-output.ts';
import { GRADE_C_OUTPUT } from '../../../pipeline/run/workloads/grade-c.ts';
import { GRADE_PYTHON_OUTPUT } from '../../../pipeline/run/workloads/grade-python.ts';
import { WORKLOADS, type Workload } from '../../../pipeline/run/workloads/index.ts';
import type { CommandRecord } from '../../../pipeline/types.ts';

function record(stdout: string, exitCode: number | null = 0, signal: string | null = null): CommandRecord {
  return { argv: [], durationMs: 1, exitCode, signal, stdout, stderr: '' };
}

function workload(name: string): Workload {
  const found = WORKLOADS[name];
  assert.ok(found, `no workload ${name}`);
  return found;
}

function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Runs `argv` on the host with the given working directory; what spawnTimed would record. */
function runOnHost(argv: string[], cwd: string): CommandRecord {
  const [file = '', ...args] = argv;
  const result = spawnSync(file, args, { cwd, encoding: 'utf8' });
  return { argv, durationMs: 0, exitCode: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

describe('the workload registry', () => {
  it('has a workload for every value of the schema, each named as registered', () => {
    const schema = JSON.parse(readFileSync('experiments/matrix.schema.json', 'utf8')) as {
      definitions: { axes: { properties: { workload: { items: { enum: string[] } } } } };
    };
    assert.deepEqual(Object.keys(WORKLOADS).sort(), [...schema.definitions.axes.properties.workload.items.enum].sort());
    for (const [name, registered] of Object.entries(WORKLOADS)) assert.equal(registered.name, name);
  });

  it('gives every runtime the same argv: an absolute path to a binary the images carry', () => {
    for (const registered of Object.values(WORKLOADS)) {
      assert.match(registered.argv[0] ?? '', /^\/bin\/(true|sh|busybox)$/, registered.name);
    }
  });
});

describe('expectOutput()', () => {
  it('counts exit 0 with exactly the expected output', () => {
    assert.equal(expectOutput(record('a\nb\n'), 'a\nb\n'), null);
  });

  it('says which line differs, or the exit code or signal', () => {
    assert.equal(expectOutput(record('a\nc\n'), 'a\nb\n'), 'unexpected output at line 2: expected "b", got "c"');
    assert.equal(expectOutput(record('a\n'), 'a\nb\n'), 'unexpected output at line 2: expected "b", got ""');
    assert.equal(expectOutput(record('a\nb\nc\n'), 'a\nb\n'), 'unexpected output at line 3: expected "", got "c"');
    assert.equal(expectOutput(record('', 2), 'a\n'), 'expected exit 0, got exit 2');
    assert.equal(expectOutput(record('', null, 'SIGKILL'), 'a\n'), 'expected exit 0, got signal SIGKILL');
  });
});

describe('the cpu workload', () => {
  const cpu = workload('cpu');

  it('runs the static busybox awk on a fixed program', () => {
    assert.deepEqual(cpu.argv, ['/bin/busybox', 'awk', CPU_PROGRAM]);
  });

  it('counts the checksum of the kernel, and rejects another number or a failure', () => {
    assert.equal(cpuChecksum(CPU_ITERATIONS), 935510384, 'MINSTD summed modulo 1e9+7, 400000 iterations (cross-checked in Python)');
    assert.equal(cpu.check(record('935510384\n')), null);
    assert.match(cpu.check(record('935510385\n')) ?? '', /expected "935510384", got "935510385"/);
    assert.match(cpu.check(record('', 127)) ?? '', /exit 127/);
  });

  it("prints that checksum when the host's busybox awk runs it", function () {
    if (!hasBinary('busybox')) this.skip();
    assert.equal(cpu.check(runOnHost(['busybox', ...cpu.argv.slice(1)], os.tmpdir())), null);
  });
});

describe('the write workload', () => {
  const write = workload('write');

  it('counts 64 MiB written on the root filesystem', () => {
    assert.equal(write.check(record('wrote 67108864 bytes on rootfs\n')), null);
  });

  it('rejects a short file, a /tmp that is a tmpfs, or a failed dd', () => {
    assert.match(write.check(record('wrote 1048576 bytes on rootfs\n')) ?? '', /line 1/);
    assert.match(write.check(record('wrote 67108864 bytes on tmpfs\n')) ?? '', /got "wrote 67108864 bytes on tmpfs"/);
    assert.match(write.check(record('', 1)) ?? '', /exit 1/);
  });
});

describe('the copy-up workload', () => {
  const copyUp = workload('copy-up');
  const good = `size ${LARGE_FILE.bytes}\n${expectedCopyUpMd5()}  -\n`;

  it('writes in the middle of the image file, in place and durably', () => {
    assert.equal(COPY_UP_BLOCK * 4096, LARGE_FILE.bytes / 2);
    assert.match(COPY_UP_SCRIPT, /conv=notrunc,fsync/);
  });

  it('counts an unchanged size with the block written next to an untouched one', () => {
    assert.equal(copyUp.check(record(good)), null);
  });

  it('rejects a truncated file, an unwritten block, or a file the image did not ship', () => {
    assert.match(copyUp.check(record(good.replace(String(LARGE_FILE.bytes), String(LARGE_FILE.bytes / 2 + 4096)))) ?? '', /line 1/);
    assert.match(copyUp.check(record(`size ${LARGE_FILE.bytes}\n0123456789abcdef0123456789abcdef  -\n`)) ?? '', /line 2/);
  });

  it('prints exactly that when busybox sh runs it on a copy of the image file', function () {
    if (!hasBinary('busybox')) this.skip();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-copy-up-'));
    try {
      // Only the two blocks the script reads need the image's bytes; the rest is sparse.
      const file = path.join(dir, 'large.bin');
      writeFileSync(file, Buffer.alloc(0));
      spawnSync('truncate', ['-s', String(LARGE_FILE.bytes), file]);
      const neighbours = largeFileBytes((COPY_UP_BLOCK - 1) * 4096, 8192);
      const seeded = spawnSync('dd', [`of=${file}`, 'bs=4096', `seek=${COPY_UP_BLOCK - 1}`, 'conv=notrunc'], { input: neighbours });
      assert.equal(seeded.status, 0);
      const script = COPY_UP_SCRIPT.replaceAll(LARGE_FILE.path, file);
      assert.equal(copyUp.check(runOnHost(['busybox', 'sh', '-c', script], dir)), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the grade-c workload', () => {
  const gradeC = workload('grade-c');

  it("runs the task's entry point", () => {
    assert.deepEqual(gradeC.argv, ['/bin/sh', '/task/grade-c/run']);
  });

  it('counts the exact expected grading, and rejects another score or a failed build', () => {
    assert.equal(gradeC.check(record(GRADE_C_OUTPUT)), null);
    assert.match(gradeC.check(record(GRADE_C_OUTPUT.replace('score: 7/10', 'score: 10/10'))) ?? '', /line 11: expected "score: 7\/10"/);
    assert.match(gradeC.check(record('score: 7/10\n')) ?? '', /line 1/);
    assert.match(gradeC.check(record('', 2)) ?? '', /exit 2/);
  });

  it('is what the task prints when the host builds and tests the submission', function () {
    if (!hasBinary('gcc') || !hasBinary('make')) this.skip();
    const build = mkdtempSync(path.join(os.tmpdir(), 'crbench-grade-c-'));
    try {
      const graded = runOnHost(['make', '-s', '--no-print-directory', '-C', path.join(TASKS_SOURCE_DIR, 'grade-c'), `BUILD=${build}`, 'grade'], build);
      assert.equal(graded.stdout, GRADE_C_OUTPUT, graded.stderr);
    } finally {
      rmSync(build, { recursive: true, force: true });
    }
  });
});

describe('the grade-python workload', () => {
  const gradePython = workload('grade-python');

  it("runs the task's entry point", () => {
    assert.deepEqual(gradePython.argv, ['/bin/sh', '/task/grade-python/run']);
  });

  it('counts the exact expected grading, and rejects another score or a crash', () => {
    assert.equal(gradePython.check(record(GRADE_PYTHON_OUTPUT)), null);
    assert.match(gradePython.check(record(GRADE_PYTHON_OUTPUT.replace('FAIL test_mean_empty', 'PASS test_mean_empty'))) ?? '', /line 5/);
    assert.match(gradePython.check(record('', 1)) ?? '', /exit 1/);
  });

  it('is what the task prints when the host runs the tests on the submission', function () {
    if (!hasBinary('python3')) this.skip();
    const graded = runOnHost(['python3', '-B', path.join(TASKS_SOURCE_DIR, 'grade-python/tests.py')], os.tmpdir());
    assert.equal(graded.stdout, GRADE_PYTHON_OUTPUT, graded.stderr);
  });
});
