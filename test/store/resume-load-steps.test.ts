import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareResume } from '../../pipeline/store/resume-results.ts';
import type { LoadSample } from '../../pipeline/types.ts';

/** A load sample of one step of runc's series, as run-load.ts writes them. */
export function loadSample(rateStepIndex: number, rep: number, stepSubmissions: number, extra: Partial<LoadSample> = {}): LoadSample {
  return {
    schemaVersion: 2, cellId: 'load.runc.overlay.ext4.grader.inginious-task.command', groupId: 'runc.overlay.ext4', runtime: 'runc', storageDriver: 'overlay',
    filesystem: 'ext4', image: 'grader', workload: 'inginious-task', lifecycle: 'command', netns: 'fresh', cgroup: 'fresh', concurrency: 2, block: 0, rep,
    warmup: false, startedAt: '2026-01-01T00:00:00Z', kind: 'load', phase: 'load', durationMs: 300, ok: true, state: 'ok', ratePerSecond: 1 + rateStepIndex,
    rateStepIndex, repeat: 0, slots: 2, warmupMs: 1000, measuredMs: 10_000, intendedAtMs: 1000 + rep * 500, dispatchedAtMs: 1000 + rep * 500,
    doneAtMs: 1300 + rep * 500, stepSubmissions, ...extra,
  };
}

describe('prepareResume() with load rate steps', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'crbench-resume-load-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts a step whole when all its submissions are there, and sets a torn one aside to run again', () => {
    const whole = [0, 1, 2].map((rep) => loadSample(0, rep, 3));
    const torn = [0, 1].map((rep) => loadSample(1, rep, 4));
    writeFileSync(path.join(dir, 'samples.jsonl'), `${[...whole, ...torn].map((sample) => JSON.stringify(sample)).join('\n')}\n`);
    const state = prepareResume(dir);
    assert.deepEqual([...state.doneLoadSteps], ['load.runc.overlay.ext4.grader.inginious-task.command/0/0']);
    assert.equal(state.setAside.partialSamples, 2);
    assert.equal(readFileSync(path.join(dir, 'samples.jsonl'), 'utf8').trim().split('\n').length, 3);
    assert.equal(readFileSync(path.join(dir, 'samples.partial.jsonl'), 'utf8').trim().split('\n').length, 2);
  });
});
