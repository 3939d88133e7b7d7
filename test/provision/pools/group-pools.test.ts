import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listPoolRecords, openGroupPools, releasePoolRecord, type PoolRecord } from '../../../provision/pools/group-pools.ts';
import { workPaths } from '../../../provision/work-dir.ts';
import { poolDemandOf } from '../../../pipeline/run/run-group.ts';
import type { Cell } from '../../../pipeline/types.ts';

const LIMITS = { memoryBytes: 1, memoryAndSwapBytes: 1, pids: 1, cpuQuotaUs: 1, cpuPeriodUs: 1 };

describe('the pools of a cell group', () => {
  let workDir: string;
  beforeEach(() => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'crbench-pools-'));
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('openGroupPools() makes nothing, and records nothing, when no cell reuses a namespace or cgroup', async () => {
    const pools = await openGroupPools({ workDir, groupId: 'runc.copy.ext4', demand: { netns: 0, cgroup: 0 }, cgroupParent: 'crbench-x', hierarchies: [], limits: LIMITS });
    assert.deepEqual([pools.netns, pools.cgroup], [null, null]);
    assert.equal(existsSync(workPaths(workDir).pools), false);
    await pools.release();
  });

  it('releasePoolRecord() removes what a record names and the record, whatever is left of it, and again without error', async () => {
    const dir = path.join(workPaths(workDir).pools, 'g');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'net-0'), '');
    const cgroupDir = path.join(workDir, 'fake-cgroup', 'crbench-x', 'g', 'pool-0');
    mkdirSync(cgroupDir, { recursive: true });
    const record: PoolRecord = { groupId: 'g', dir, netnsFiles: [path.join(dir, 'net-0'), path.join(dir, 'net-1')], cgroupDirs: [cgroupDir, path.join(workDir, 'gone')] };
    writeFileSync(path.join(workPaths(workDir).pools, 'g.json'), JSON.stringify(record));
    assert.deepEqual(listPoolRecords(workDir), [record]);
    assert.deepEqual(await releasePoolRecord(workDir, record), []);
    assert.equal(existsSync(dir), false);
    assert.equal(existsSync(cgroupDir), false);
    assert.deepEqual(readdirSync(workPaths(workDir).pools), [], 'the record went last');
    assert.deepEqual(await releasePoolRecord(workDir, record), [], 'idempotent');
  });

  it('releasePoolRecord() refuses a record whose directory is outside the work directory', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'crbench-not-ours-'));
    try {
      await assert.rejects(releasePoolRecord(workDir, { groupId: 'g', dir: outside, netnsFiles: [], cgroupDirs: [] }), { code: 'OUTSIDE_WORK_DIR' });
      assert.ok(existsSync(outside));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('poolDemandOf() asks for as many members as the most containers of a reusing cell at once', () => {
    const cell = (netns: string, cgroup: string, concurrency: number) => ({ netns, cgroup, concurrency }) as Cell;
    assert.deepEqual(poolDemandOf([cell('fresh', 'fresh', 8), cell('reused', 'fresh', 1), cell('reused', 'reused', 4), cell('host', 'reused', 8)]), { netns: 4, cgroup: 8 });
    assert.deepEqual(poolDemandOf([cell('fresh', 'fresh', 8), cell('host', 'fresh', 8)]), { netns: 0, cgroup: 0 });
  });
});
