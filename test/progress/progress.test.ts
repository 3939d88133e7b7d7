import assert from 'node:assert/strict';
import { createProgress, estimateRemainingMs, formatDuration, formatSummary } from '../../pipeline/progress/progress.ts';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  let clock = 0;
  const progress = createProgress({ isTTY, write: (text: string) => chunks.push(text) }, () => clock);
  return { progress, chunks, tick: (ms: number) => { clock += ms; } };
}

describe('progress', () => {
  it('formats durations the way people read them', () => {
    assert.deepEqual([formatDuration(4_400), formatDuration(125_000), formatDuration(3_725_000), formatDuration(Number.NaN)], ['4s', '2m05s', '1h02m', '?']);
  });

  it('estimates the time left from the pace so far', () => {
    assert.equal(estimateRemainingMs(10, 40, 5_000), 15_000);
    assert.ok(Number.isNaN(estimateRemainingMs(0, 40, 5_000)));
  });

  it('writes plain lines without control characters when not on a terminal, one per cell, with the ETA', () => {
    const { progress, chunks, tick } = capture(false);
    progress.start({ units: 2, repetitions: 4 });
    progress.unitStart('block 0 runc.copy.ext4');
    tick(1_000);
    progress.repetitionDone('a', true);
    progress.repetitionDone('a', true);
    progress.cellDone('runc.copy.ext4.tiny.noop.exec.c1: 2 measured, 0 failed');
    progress.finish({ cellsDone: 1, cellsSkipped: 2, cellsErrored: 0, repetitions: 2, failedRepetitions: 0, elapsedMs: 1_000, interrupted: false });
    const text = chunks.join('');
    assert.ok(!text.includes('\u001b') && !text.includes('\r'), 'no control characters');
    assert.deepEqual(text.trim().split('\n'), [
      '2 units of work, 4 repetitions',
      '[2/4 reps, ETA 1s] runc.copy.ext4.tiny.noop.exec.c1: 2 measured, 0 failed',
      'done: 1 cells measured, 2 skipped, 0 with errors; 2 repetitions (0 failed) in 1s',
    ]);
  });

  it('redraws one status line in place on a terminal', () => {
    const { progress, chunks, tick } = capture(true);
    progress.start({ units: 1, repetitions: 2 });
    progress.unitStart('block 0 crun.copy.xfs');
    tick(500);
    progress.repetitionDone('a', true);
    assert.equal(chunks.at(-1), '\r\u001b[K[0/1] 50% block 0 crun.copy.xfs · 2.0 reps/s · ETA 1s');
  });

  it('says when a run was interrupted', () => {
    assert.match(formatSummary({ cellsDone: 0, cellsSkipped: 0, cellsErrored: 0, repetitions: 0, failedRepetitions: 0, elapsedMs: 0, interrupted: true }), /^interrupted:/);
  });
});
