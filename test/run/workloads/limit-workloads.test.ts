import assert from 'node:assert/strict';
import { limitMemory } from '../../../pipeline/run/workloads/limit-memory.ts';
import { limitNetwork } from '../../../pipeline/run/workloads/limit-network.ts';
import { limitPids } from '../../../pipeline/run/workloads/limit-pids.ts';
import { SANDBOX_KILLED_FACT, sandboxKilled } from '../../../pipeline/run/workloads/sandbox-killed.ts';
import type { CommandRecord } from '../../../pipeline/types.ts';

const ran = (fields: Partial<CommandRecord>): CommandRecord => ({ argv: [], durationMs: 1, exitCode: 0, signal: null, stdout: '', stderr: '', ...fields });

describe('the limit workloads', () => {
  it('limit-memory passes when the hog is killed at the limit, and says "not enforced" when it survives', () => {
    assert.equal(limitMemory.check(ran({ exitCode: 137 })), null);
    assert.equal(limitMemory.check(ran({ exitCode: null, signal: 'SIGKILL' })), null);
    assert.match(limitMemory.check(ran({ stdout: 'survived\n' })) ?? '', /^not enforced: a 1024 MiB allocation survived/);
    assert.match(limitMemory.check(ran({ exitCode: 1 })) ?? '', /^could not tell/);
  });

  it('limit-pids passes when a fork failed, and says "not enforced" when all 400 ran', () => {
    assert.equal(limitPids.check(ran({ stdout: 'bomb exited 2\n' })), null);
    assert.match(limitPids.check(ran({ stdout: 'started 400\nbomb exited 0\n' })) ?? '', /^not enforced: all 400 forks succeeded/);
    assert.match(limitPids.check(ran({ stdout: '', exitCode: 2 })) ?? '', /^could not tell/);
  });

  it('limit-memory and limit-pids count gVisor\'s killed sandbox as enforced, and their facts say it was the sandbox', () => {
    // runsc 0.0~20221219 on the reference host, a 1024 MiB hog and a 400-fork bomb in a 256 MiB / 256-pid container.
    const gvisor = ran({ exitCode: 128, stderr: 'waiting on pid 2: waiting on PID 2 in sandbox "rs4": urpc method "containerManager.WaitPID" failed: EOF\n' });
    for (const workload of [limitMemory, limitPids]) {
      assert.equal(workload.check(gvisor), null, workload.name);
      assert.deepEqual(workload.facts?.(gvisor), { [SANDBOX_KILLED_FACT]: true }, workload.name);
    }
    assert.deepEqual(limitMemory.facts?.(ran({ exitCode: 137 })), { [SANDBOX_KILLED_FACT]: false });
    assert.deepEqual(limitPids.facts?.(ran({ stdout: 'bomb exited 2\n' })), { [SANDBOX_KILLED_FACT]: false });
  });

  it('does not take another exit 128 for a killed sandbox', () => {
    assert.equal(sandboxKilled({ exitCode: 128, stderr: 'runsc: container not found' }), false);
    assert.equal(sandboxKilled({ exitCode: 1, stderr: 'urpc method "containerManager.WaitPID" failed: EOF' }), false);
    assert.match(limitMemory.check(ran({ exitCode: 128, stderr: 'runsc: container not found' })) ?? '', /^could not tell/);
  });

  it('limit-network passes with loopback only and no route, and names what it found otherwise', () => {
    assert.equal(limitNetwork.check(ran({ stdout: 'interfaces:\nroutes:0\n' })), null);
    assert.match(limitNetwork.check(ran({ stdout: 'interfaces:eth0 \nroutes:2\n' })) ?? '', /^not enforced: the container has interfaces eth0 and 2 routes/);
  });
});
