import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { copyTasks, LARGE_FILE, largeFileBytes, tasksHash, TASKS_SOURCE_DIR, writeLargeFile } from '../../../provision/images/workload-assets.ts';

describe('largeFileBytes()', () => {
  it('is deterministic and seekable: any slice equals the same bytes of a longer read', () => {
    assert.deepEqual(largeFileBytes(4096, 64), largeFileBytes(4096, 64));
    assert.deepEqual(largeFileBytes(4096 + 16, 32), largeFileBytes(4096, 64).subarray(16, 48));
    assert.throws(() => largeFileBytes(3, 16), /multiple of 16/);
  });

  it('neither compresses nor repeats', () => {
    const megabyte = largeFileBytes(0, 1024 * 1024);
    assert.ok(gzipSync(megabyte).length > megabyte.length * 0.99);
    assert.notDeepEqual(largeFileBytes(0, 4096), largeFileBytes(4096, 4096));
  });
});

describe('the workload assets in a root filesystem', () => {
  let rootfs: string;
  before(() => { rootfs = mkdtempSync(path.join(os.tmpdir(), 'crbench-assets-')); });
  after(() => rmSync(rootfs, { recursive: true, force: true }));

  it('writes /data/large.bin: 64 MiB of the generator, mode 0644', () => {
    writeLargeFile(rootfs);
    const file = path.join(rootfs, LARGE_FILE.path);
    assert.equal(statSync(file).size, LARGE_FILE.bytes);
    assert.equal(statSync(file).mode & 0o777, 0o644);
    const content = readFileSync(file);
    assert.deepEqual(content.subarray(LARGE_FILE.bytes - 4096), largeFileBytes(LARGE_FILE.bytes - 4096, 4096));
  });

  it('copies the grading tasks to /task with fixed modes', () => {
    copyTasks(rootfs);
    for (const file of ['grade-c/run', 'grade-c/Makefile', 'grade-c/student/student.c', 'grade-python/run', 'grade-python/student/solution.py']) {
      const copied = path.join(rootfs, 'task', file);
      assert.equal(readFileSync(copied, 'utf8'), readFileSync(path.join(TASKS_SOURCE_DIR, file), 'utf8'));
      assert.equal(statSync(copied).mode & 0o777, 0o644, file);
    }
    assert.equal(statSync(path.join(rootfs, 'task/grade-c/student')).mode & 0o777, 0o755);
    assert.ok(!existsSync(path.join(rootfs, 'task/README.md')));
  });
});

describe('tasksHash()', () => {
  let tasks: string;
  beforeEach(() => {
    tasks = mkdtempSync(path.join(os.tmpdir(), 'crbench-tasks-'));
    mkdirSync(path.join(tasks, 't/student'), { recursive: true });
    writeFileSync(path.join(tasks, 't/run'), 'echo hi\n');
    writeFileSync(path.join(tasks, 't/student/a.c'), 'int a;\n');
  });
  afterEach(() => rmSync(tasks, { recursive: true, force: true }));

  it('changes when a task file changes or is added, and comes back when undone', () => {
    const hash = tasksHash(tasks);
    assert.equal(tasksHash(tasks), hash);
    writeFileSync(path.join(tasks, 't/student/a.c'), 'int b;\n');
    const edited = tasksHash(tasks);
    assert.notEqual(edited, hash);
    writeFileSync(path.join(tasks, 't/student/b.c'), 'int b;\n');
    assert.notEqual(tasksHash(tasks), edited);
    rmSync(path.join(tasks, 't/student/b.c'));
    assert.equal(tasksHash(tasks), edited);
    writeFileSync(path.join(tasks, 'README.md'), 'not a task\n');
    assert.equal(tasksHash(tasks), edited, 'a loose file of the tasks folder is no task');
  });
});
