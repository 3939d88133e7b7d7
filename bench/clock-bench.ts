/**
 * make bench: crbench's clock against hyperfine on the same operations, side by side.
 * A ratio near 1 says a phase's duration is the operation's, not the harness's.
 * Run as root from the repository: node --import tsx bench/clock-bench.ts [runs]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { timePhase } from '../pipeline/run/phase-steps.ts';

const runs = Number(process.argv[2] ?? 200);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'crbench-clock-'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function crbenchMedianMs(argv: string[]): Promise<number> {
  const durations: number[] = [];
  for (let run = 0; run < runs; run += 1) durations.push((await timePhase([{ kind: 'run', argv }], { scratchDir: scratch, deadlineMs: 10_000 })).durationMs);
  return median(durations);
}

function hyperfineMedianMs(argv: string[]): number {
  const exported = path.join(scratch, 'hyperfine.json');
  // -N: no intermediate shell, as crbench spawns directly.
  execFileSync('hyperfine', ['-N', '--warmup', '5', '--runs', String(runs), '--export-json', exported, argv.join(' ')], { stdio: 'ignore' });
  const result = JSON.parse(readFileSync(exported, 'utf8')) as { results: { median: number }[] };
  return (result.results[0]?.median ?? Number.NaN) * 1000;
}

const operations: { name: string; argv: string[] }[] = [
  { name: 'null operation (/bin/true)', argv: ['/bin/true'] },
  { name: 'runc list (a runtime command)', argv: ['runc', '--root', path.join(scratch, 'runc-state'), 'list'] },
];
console.log(`crbench clock vs hyperfine, ${runs} runs each (medians)`);
console.log('operation                          crbench ms   hyperfine ms   ratio');
for (const operation of operations) {
  const ours = await crbenchMedianMs(operation.argv);
  const theirs = hyperfineMedianMs(operation.argv);
  console.log(`${operation.name.padEnd(34)} ${ours.toFixed(3).padStart(10)}   ${theirs.toFixed(3).padStart(12)}   ${(ours / theirs).toFixed(2)}×`);
}
rmSync(scratch, { recursive: true, force: true });
