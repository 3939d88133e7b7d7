/**
 * make bench: crbench's clock against hyperfine's on the same operations, side by side in one
 * run. A ratio near 1 says that a step's duration is the operation's, not the harness's.
 *
 *   node --import tsx bench/clock-bench.ts [runs]      (200 by default; writes bench/out/clock.json)
 *
 * crbench: one step per phase through the native executor, the step's own spawn-to-reap time.
 * hyperfine: `-N` (no shell), its per-run times from --export-json, its output to a file in the
 * same scratch folder (the executor's goes to scratch files there, not to /dev/null).
 *
 * This machine is shared: a load that comes and goes must fall on both alike, not on whichever
 * ran second. So the runs are split into rounds, and each round takes crbench, hyperfine and a
 * second, independent hyperfine series in one of the six orders, in turn. The ratio is crbench's
 * median over that of both hyperfine series (`runs` each: one series alone wanders as much as
 * the ratio tested); the two series' ratio to each other is the noise floor: a target closer to
 * 1 than that cannot be judged in this run. Minimums are the least load-sensitive figures. Each
 * round warms up first.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openNativeExecutor } from '../pipeline/run/executor/native-executor.ts';
import type { Executor } from '../pipeline/run/executor/executor.ts';
import { run } from '../pipeline/run/executor/steps.ts';
import { medianOf } from '../pipeline/statistics/statistics.ts';

const runs = Number(process.argv[2] ?? 200);
const WARMUP_RUNS = 3;
const ROUNDS = 20;
/** The targets the clock is held to (hyperfine's median × this). */
const TARGETS: Record<string, number> = { 'true': 1.05, 'runc list': 1.02 };
const outDir = fileURLToPath(new URL('./out/', import.meta.url));

interface Operation {
  name: string;
  argv: string[];
}

interface OperationResult {
  name: string;
  crbenchMedianMs: number;
  hyperfineMedianMs: number;
  ratio: number;
  crbenchMinMs: number;
  hyperfineMinMs: number;
  /** The second hyperfine series over the first: the ratio noise alone gives in this run. */
  hyperfineSelfRatio: number;
  /** crbench's runs; hyperfine made twice as many, in its two series. */
  runs: number;
}

// hyperfine takes one command string; -N splits it like a shell would, so quote each argument.
const shellQuote = (arg: string): string => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`);

/** One round of hyperfine: its per-run wall times, in ms. */
function hyperfineTimesMs(argv: string[], roundRuns: number, scratch: string): number[] {
  const exported = path.join(scratch, 'hyperfine.json');
  // Its output to a file on the scratch filesystem too, as the executor's goes (not to /dev/null).
  const output = path.join(scratch, 'hyperfine.out');
  execFileSync('hyperfine', ['-N', '--warmup', String(WARMUP_RUNS), '--runs', String(roundRuns), `--output=${output}`, '--export-json', exported, argv.map(shellQuote).join(' ')], { stdio: 'ignore' });
  const result = JSON.parse(readFileSync(exported, 'utf8')) as { results: { times: number[] }[] };
  return (result.results[0]?.times ?? []).map((seconds) => seconds * 1000);
}

/** One round through the executor: each step's spawn-to-reap time, in ms. */
async function crbenchTimesMs(executor: Executor, argv: string[], roundRuns: number): Promise<number[]> {
  const durationsMs: number[] = [];
  for (let attempt = 0; attempt < WARMUP_RUNS + roundRuns; attempt += 1) {
    const phase = await executor.runPhase([run('operation', argv)], { deadlineMs: 10_000 });
    if (!phase.ok) throw new Error(`clock-bench: ${phase.error}`);
    if (attempt >= WARMUP_RUNS) durationsMs.push(phase.records[0]?.durationMs ?? Number.NaN);
  }
  return durationsMs;
}

/** The six orders of crbench (c), hyperfine (h) and hyperfine again (g), one per round in turn. */
const ORDERS = ['chg', 'ghc', 'hgc', 'cgh', 'gch', 'hcg'];

async function measure(executor: Executor, operation: Operation, scratch: string): Promise<OperationResult> {
  const ours: number[] = [];
  const theirs: number[] = [];
  const again: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const roundRuns = Math.floor(runs / ROUNDS) + (round < runs % ROUNDS ? 1 : 0);
    if (roundRuns === 0) continue;
    for (const who of ORDERS[round % ORDERS.length] ?? 'chg') {
      if (who === 'c') ours.push(...(await crbenchTimesMs(executor, operation.argv, roundRuns)));
      else (who === 'h' ? theirs : again).push(...hyperfineTimesMs(operation.argv, roundRuns, scratch));
    }
  }
  const crbenchMedianMs = medianOf(ours);
  const hyperfineMedianMs = medianOf([...theirs, ...again]);
  return {
    name: operation.name, crbenchMedianMs, hyperfineMedianMs, ratio: crbenchMedianMs / hyperfineMedianMs,
    crbenchMinMs: Math.min(...ours), hyperfineMinMs: Math.min(...theirs, ...again), hyperfineSelfRatio: medianOf(again) / medianOf(theirs),
    runs: ours.length,
  };
}

async function main(): Promise<void> {
  try {
    execFileSync('hyperfine', ['--version'], { stdio: 'ignore' });
  } catch {
    console.error('clock-bench: hyperfine is not installed (apt-get install hyperfine)');
    process.exit(2);
  }
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crbench-clock-'));
  const runcRoot = mkdtempSync(path.join(os.tmpdir(), 'crbench-runc-root-'));
  const executor = await openNativeExecutor({ scratchDir: scratch });
  try {
    const operations: Operation[] = [
      { name: 'true', argv: ['/bin/true'] },
      { name: 'runc list', argv: ['runc', '--root', runcRoot, 'list'] },
    ];
    const loadBefore = os.loadavg()[0] ?? Number.NaN;
    const results: OperationResult[] = [];
    for (const operation of operations) results.push(await measure(executor, operation, scratch));
    const loadAfter = os.loadavg()[0] ?? Number.NaN;
    console.log(`crbench clock vs hyperfine -N, ${runs} runs (hyperfine: two series of ${runs}) in ${ROUNDS} interleaved rounds (medians; load ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${os.cpus().length} CPUs)`);
    console.log('operation      crbench ms   hyperfine ms   ratio   target   noise: hyperfine/hyperfine   min: crbench  hyperfine');
    for (const result of results) {
      const target = TARGETS[result.name];
      const verdict = target === undefined ? '' : `${result.ratio <= target ? '≤' : '>'} ${target.toFixed(2)}`;
      console.log(`${result.name.padEnd(12)} ${result.crbenchMedianMs.toFixed(3).padStart(12)}   ${result.hyperfineMedianMs.toFixed(3).padStart(12)}   ${result.ratio.toFixed(3)}   ${verdict.padEnd(6)}   ${result.hyperfineSelfRatio.toFixed(3).padStart(26)}   ${result.crbenchMinMs.toFixed(3).padStart(12)} ${result.hyperfineMinMs.toFixed(3).padStart(10)}`);
    }
    mkdirSync(outDir, { recursive: true });
    const loadAverage = { before: loadBefore, after: loadAfter, cpus: os.cpus().length };
    writeFileSync(path.join(outDir, 'clock.json'), `${JSON.stringify({ operations: results, loadAverage }, null, 2)}\n`);
    console.log(`written: ${path.relative(process.cwd(), path.join(outDir, 'clock.json'))}`);
  } finally {
    await executor.close();
    rmSync(scratch, { recursive: true, force: true });
    rmSync(runcRoot, { recursive: true, force: true });
  }
}

await main();
