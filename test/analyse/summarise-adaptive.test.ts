import assert from 'node:assert/strict';
import { summariseAdaptive } from '../../pipeline/analyse/summarise-adaptive.ts';
import { buildTestsSection } from '../../pipeline/report/build-tests-section.ts';
import type { CellSummary, Manifest } from '../../pipeline/types.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';

const cell = (cellId: string, makespanMedianMs: number) => ({ cellId, totalMedianMs: 1, batch: { n: 10, makespanMedianMs, makespanCiLowMs: 0, makespanCiHighMs: 0, throughputPerSecond: 0 } }) as unknown as CellSummary;
const manifest = (adaptive: boolean) => ({
  matrix: { name: 'm', repetitions: 20, warmup: 1, phaseTimeoutMs: 1000, seed: 1, ...(adaptive ? { adaptive: { minRepetitions: 10, targetRelativeHalfWidth: 0.05 } } : {}) },
  cellOutcomes: {
    a: { measuredReps: 10, failedReps: 0, stoppedBecause: 'precise' },
    b: { measuredReps: 20, failedReps: 0, stoppedBecause: 'max-repetitions' },
    c: { measuredReps: 15, failedReps: 0, stoppedBecause: 'precise' },
  },
}) as unknown as Manifest;

describe('summariseAdaptive()', () => {
  it('counts the repetitions cells stopped short of the maximum, at each one\'s median makespan', () => {
    // a: 10 saved × 100 ms; c: 5 saved × 40 ms; b ran them all.
    assert.deepEqual(summariseAdaptive(manifest(true), [cell('a', 100), cell('b', 50), cell('c', 40)]),
      { cells: 3, cellsStoppedEarly: 2, repetitionsSaved: 15, savedMs: 1200 });
  });

  it('says nothing when the matrix did not ask for adaptive stopping', () => {
    assert.equal(summariseAdaptive(manifest(false), [cell('a', 100)]), undefined);
  });

  it('is stated in the Tests section of the chapter', () => {
    const { manifest: fixture, summary } = loadSummaryPair('chapter5');
    const withAdaptive = { ...fixture, matrix: { ...fixture.matrix, adaptive: { minRepetitions: 10, targetRelativeHalfWidth: 0.05 } } };
    const blocks = buildTestsSection(withAdaptive, { ...summary, adaptive: { cells: 3, cellsStoppedEarly: 2, repetitionsSaved: 15, savedMs: 1200 } });
    const text = JSON.stringify(blocks);
    assert.match(text, /of 3 cells stopped early, saving /);
    assert.match(text, / repetitions, about /);
  });
});
