import { analyseResults } from '../../pipeline/analyse/analyse-results.ts';
import type { Manifest, QuestionSpec, Summary } from '../../pipeline/types.ts';
import { WIDE_SPEC } from '../fixtures/summaries/fixture-specs.ts';
import { syntheticResults } from '../fixtures/summaries/synthetic-results.ts';

/** Declared questions on the wide fixture: one each of a runtime, a storage driver and a sandbox. */
export const WIDE_QUESTIONS: QuestionSpec[] = [
  { id: 'crun-vs-runc', title: 'Is crun faster than runc?', hypothesis: 'crun is faster than runc', metric: 'total', baseline: { runtime: ['runc'], storageDriver: ['copy'] }, candidate: { runtime: ['crun'], storageDriver: ['copy'] }, pairBy: ['filesystem', 'image', 'workload', 'lifecycle', 'concurrency'], expect: 'faster' },
  { id: 'overlay-vs-copy', title: 'Is an overlay made faster than a copy?', hypothesis: 'an overlay root is created faster than a deep copy', metric: 'create', baseline: { runtime: ['crun'], storageDriver: ['copy'] }, candidate: { runtime: ['crun'], storageDriver: ['overlay'] }, pairBy: ['filesystem', 'image', 'workload', 'lifecycle', 'concurrency'], expect: 'faster', factor: 0.5 },
  { id: 'user-space-kernel', title: 'What does a user-space kernel cost?', hypothesis: 'runsc is slower than runc', metric: 'total', baseline: { runtime: ['runc'] }, candidate: { runtime: ['runsc'] }, pairBy: ['storageDriver', 'filesystem', 'image', 'workload', 'lifecycle', 'concurrency'], expect: 'slower' },
];

/** The wide synthetic run analysed by the real analyse stage, with a reference workload and declared questions. */
export function analysedWide(): { summary: Summary; manifest: Manifest } {
  const results = syntheticResults(WIDE_SPEC);
  // probe-security on each runtime: a copy of its first tiny·noop cell whose execute reports what a process inside sees.
  const probes = ['crun', 'docker', 'runsc', 'lxd'].flatMap((runtime) => {
    const cell = results.manifest.cells.find((c) => c.feasible && c.runtime === runtime && c.image === 'tiny' && c.workload === 'noop' && c.concurrency === 1);
    return cell ? [{ ...cell, id: cell.id.replace('.noop.', '.probe-security.'), workload: 'probe-security' }] : [];
  });
  const probeSamples = probes.flatMap((probe) =>
    results.samples
      .filter((sample) => sample.cellId === probe.id.replace('.probe-security.', '.noop.'))
      .map((sample) => ({
        ...sample,
        cellId: probe.id,
        workload: 'probe-security',
        ...(sample.kind === 'phase' && sample.phase === 'execute' ? { facts: { seccomp: 2, noNewPrivs: probe.runtime === 'runsc' ? undefined : 1, capEff: '00000000a80425fb', userNamespace: false } } : {}),
      })) as typeof results.samples,
  );
  const manifest: Manifest = {
    ...results.manifest,
    cells: [...results.manifest.cells, ...probes],
    matrix: { ...results.manifest.matrix, referenceWorkload: { workload: 'grade-python', image: 'grader', concurrency: 1 }, questions: WIDE_QUESTIONS, macroPrefix: 'crb' },
  };
  return { manifest, summary: analyseResults({ manifest, samples: [...results.samples, ...probeSamples], setAsideLines: results.setAsideLines }) };
}
