import { strict as assert } from 'node:assert';
import { buildRecommendationsSection } from '../../pipeline/report/build-recommendations-section.ts';
import { buildSummarySection } from '../../pipeline/report/build-summary-section.ts';
import { isolationClassOf } from '../../pipeline/report/isolation-class.ts';
import { referenceSlice } from '../../pipeline/report/reference-slice.ts';
import { loadSummaryPair } from '../fixtures/summaries/load-summary.ts';
import { plain, textOf } from './report-fixture.ts';

describe('isolationClassOf()', () => {
  it('classes runtimes as container, user-space kernel or virtual machine', () => {
    assert.deepEqual(
      ['runc', 'crun', 'docker', 'docker-cli', 'podman', 'lxc', 'lxd', 'runsc', 'kata', 'firecracker', 'qemu-microvm'].map(isolationClassOf),
      ['container', 'container', 'container', 'container', 'container', 'container', 'container', 'user-space kernel', 'virtual machine', 'virtual machine', 'virtual machine'],
    );
  });
});

describe('referenceSlice()', () => {
  it('takes the grading workload at the highest concurrency measured, on the image with the most cells', () => {
    const slice = referenceSlice(loadSummaryPair('wide').summary.cells);
    assert.deepEqual([slice?.workload, slice?.concurrency, slice?.image, slice?.grading, slice?.cells.length], ['grade-python', 4, 'grader', true, 11]);
  });

  it('falls back to noop when no grading workload was measured', () => {
    const slice = referenceSlice(loadSummaryPair('chapter5').summary.cells);
    assert.deepEqual([slice?.workload, slice?.concurrency, slice?.grading], ['noop', 1, false]);
  });
});

describe('referenceSlice() with several grading workloads', () => {
  it('ranks the grading workload measured at the highest concurrency, the exam peak, not the first one listed', () => {
    const cells = loadSummaryPair('wide').summary.cells;
    const template = cells.find((cell) => cell.workload.startsWith('grade-'));
    assert.ok(template);
    const gradeC = cells.filter((cell) => cell.workload === template.workload).map((cell) => ({ ...cell, workload: 'grade-c', concurrency: 1, cellId: `${cell.cellId}-c` }));
    const gradePython = cells.filter((cell) => cell.workload === template.workload).map((cell) => ({ ...cell, workload: 'grade-python', concurrency: 8, cellId: `${cell.cellId}-p` }));
    const slice = referenceSlice([...gradeC, ...gradePython]);
    assert.equal(slice?.workload, 'grade-python');
    assert.equal(slice?.concurrency, 8);
  });
});

describe('buildRecommendationsSection()', () => {
  it('says, without a grading workload, that it ranks noop at concurrency 1 instead and why that is not grading time', () => {
    const { summary, manifest } = loadSummaryPair('chapter5');
    const lines = textOf(buildRecommendationsSection(summary, manifest));
    assert.match(lines[0] ?? '', /^No grading workload was measured, so the configurations are ranked .* for workload noop on image tiny at concurrency 1 \(the only concurrency measured\)\. This ranks what the container machinery costs .* Table 2 is that ranking\.$/);
    assert.match(lines[1] ?? '', /^Recommended: crun · copy · ext4 \(container isolation\), [\d.]+ ms end to end, the fastest of the 6 configurations measured there\./);
  });

  it('ranks the grading workload at the highest concurrency, each configuration with its isolation class', () => {
    const { summary, manifest } = loadSummaryPair('wide');
    const blocks = buildRecommendationsSection(summary, manifest);
    assert.match(textOf(blocks)[0] ?? '', /for the grading workload grade-python on image grader at concurrency 4, the highest concurrency measured/);
    const table = blocks.find((b) => b.kind === 'table');
    assert.ok(table?.kind === 'table');
    assert.deepEqual(table.rows.map((row) => `${plain(row[1] ?? [])}: ${plain(row[2] ?? [])}`).slice(0, 2), ['crun · overlay · ext4: container', 'crun · overlay · btrfs: container']);
    assert.ok(table.rows.some((row) => plain(row[2] ?? []) === 'user-space kernel'));
  });

  it('gives the evidence: the winner’s phases and the direct test against the runner-up', () => {
    const { summary: probed, manifest } = loadSummaryPair('wide');
    // Without the probes' verdicts, the fastest wins.
    const summary = { ...probed, limits: [] };
    const evidence = textOf(buildRecommendationsSection(summary, manifest)).find((line) => line.startsWith('Recommended:')) ?? '';
    assert.match(evidence, /Its phases: create [\d.]+, launch [\d.]+, execute [\d.]+, stop [\d.]+, clean [\d.]+ ms \(medians\)\./);
    assert.match(evidence, /The runner-up, crun · overlay · btrfs, takes [\d.]+× as long\. The two differ in one axis and were tested against each other: no significant difference between btrfs and ext4 in the whole life cycle/);
  });

  it('names the best of each isolation class, and why a class has none', () => {
    const { summary: probed, manifest } = loadSummaryPair('wide');
    const summary = { ...probed, limits: [] };
    const items = textOf(buildRecommendationsSection(summary, manifest)).slice(-3);
    assert.match(items[0] ?? '', /^Container: crun · overlay · ext4, [\d.]+ ms, rank 1, the overall winner\.$/);
    assert.match(items[1] ?? '', /^User-space kernel: runsc · copy · ext4, [\d.]+ ms, rank 7, [\d.]+× the winner’s time\.$/);
    assert.equal(items[2], 'Virtual machine: none measured; kata was skipped: a VM runtime needs usable KVM: QEMU with -accel kvm failed: failed to set MSR 0x10a.');
  });
});

describe('buildRecommendationsSection() with isolation probes', () => {
  const { summary, manifest } = loadSummaryPair('wide');
  const blocks = buildRecommendationsSection(summary, manifest);
  const lines = textOf(blocks);

  it('flags each ranked configuration whose probes let a limit go, the probes of its runtime and driver standing in on another filesystem', () => {
    const table = blocks.find((b) => b.kind === 'table');
    assert.ok(table?.kind === 'table');
    assert.equal(table.columns[3]?.title, 'not enforced');
    const flags = Object.fromEntries(table.rows.map((row) => [plain(row[1] ?? []), plain(row[3] ?? [])]));
    assert.equal(flags['crun · overlay · ext4'], 'pids');
    assert.equal(flags['crun · overlay · btrfs'], 'pids');
    assert.equal(flags['crun · copy · btrfs'], '—');
    assert.equal(flags['lxd · dir · ext4'], 'network');
  });

  it('does not recommend a faster configuration that lets a limit go over one that enforces them all, and says so', () => {
    assert.ok(lines.some((line) => /^The isolation probes found a limit not enforced by crun · overlay · ext4 \(pids not enforced\), crun · overlay · btrfs \(pids not enforced\), lxd · dir · ext4 \(network not enforced\).* They are not recommended, although faster/.test(line)));
    assert.match(lines.find((line) => line.startsWith('Recommended:')) ?? '', /^Recommended: docker · overlay2 · ext4 .* the fastest of the 11 configurations measured there that enforces every limit\./);
    assert.match(lines.at(-3) ?? '', /^Container: docker · overlay2 · ext4, [\d.]+ ms, rank 3, the overall winner\.$/);
  });

  it('never ranks an isolation probe', () => {
    const table = blocks.find((b) => b.kind === 'table');
    assert.ok(table?.kind === 'table' && table.rows.length === 11);
    assert.ok(summary.cells.some((cell) => cell.probe !== undefined));
  });
});

describe('buildSummarySection()', () => {
  it('sums up what was measured, the fastest and slowest, the clearest effects and the count of differences', () => {
    const { summary } = loadSummaryPair('chapter5');
    const lines = textOf(buildSummarySection(summary));
    assert.match(lines[0] ?? '', /^Measured 6 configurations of matrix chapter5; 2 were skipped on this host and 0 failed/);
    assert.match(lines[1] ?? '', /^For workload noop at concurrency 1, the fastest configuration is crun · copy · ext4 \(container\), [\d.]+ ms end to end; the slowest, runc · copy · btrfs, takes [\d.]+× as long\.$/);
    assert.match(lines[2] ?? '', /^crun completes the whole life cycle [\d.]+× faster than runc on \w+ \(95% CI/);
    assert.match(lines.at(-1) ?? '', /^Of 54 comparisons between configurations that differ in one axis, \d+ found a significant difference/);
  });
});
