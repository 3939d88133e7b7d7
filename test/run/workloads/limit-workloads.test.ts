import assert from 'node:assert/strict';
import { limitMemory } from '../../../pipeline/run/workloads/limit-memory.ts';
import { limitNetwork } from '../../../pipeline/run/workloads/limit-network.ts';
import { limitPids } from '../../../pipeline/run/workloads/limit-pids.ts';
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

  it('limit-network passes with loopback only and no route, and names what it found otherwise', () => {
    assert.equal(limitNetwork.check(ran({ stdout: 'interfaces:\nroutes:0\n' })), null);
    assert.match(limitNetwork.check(ran({ stdout: 'interfaces:eth0 \nroutes:2\n' })) ?? '', /^not enforced: the container has interfaces eth0 and 2 routes/);
  });
});
