import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { openNativeExecutor } from '../../pipeline/run/executor/native-executor.ts';
import { measureHarnessOverhead } from '../../pipeline/run/harness-overhead.ts';

describe('measureHarnessOverhead()', () => {
  it('times /bin/true through the executor and describes the runs', async function () {
    this.timeout(60_000);
    const scratchDir = mkdtempSync(path.join('/var/tmp', 'crbench-overhead-'));
    const executor = await openNativeExecutor({ scratchDir });
    try {
      const overhead = await measureHarnessOverhead(executor, 7);
      assert.equal(overhead.command, '/bin/true');
      assert.equal(overhead.runs, 7);
      assert.ok(overhead.minMs > 0 && overhead.minMs <= overhead.medianMs && overhead.medianMs <= overhead.maxMs, JSON.stringify(overhead));
    } finally {
      await executor.close();
      const left = readdirSync(scratchDir);
      rmSync(scratchDir, { recursive: true, force: true });
      assert.deepEqual(left, [], 'close() deletes every scratch file');
    }
  });
});
