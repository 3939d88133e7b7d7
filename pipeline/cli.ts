/**
 * argv → stages. The only place that prints errors and decides exit codes:
 *   0 success · 1 a run or report failed · 2 bad input or usage · 3 compare found a
 *   regression · 130/143 interrupted.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CrbenchError } from './errors.ts';
import { planMatrixFile, renderReport, runMatrixFile, teardown, validateMatrixFile, type RunOptions } from './index.ts';
import { createProgress, formatDuration } from './progress/progress.ts';
import { estimateDuration } from './plan/estimate-duration.ts';
import { readResults } from './store/read-results.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatDoctor, runDoctor } from './doctor/run-doctor.ts';
import { mergeResults } from './store/merge-results.ts';
import { compareRuns, hasRegression } from './compare/compare-runs.ts';
import { formatCompareReport } from './compare/format-compare-report.ts';
import { resolveWorkDir } from '../provision/work-dir.ts';
import { AXES, type Axis } from './types.ts';
import { formatPlan } from './plan/format-plan.ts';

const USAGE = `crbench — container runtime bench: which runtime, storage driver and filesystem start
and grade containers fastest, measured on real loop devices.

Usage:
  crbench validate <matrix.yaml>                 check a matrix; errors as file:line:col message
  crbench plan <matrix.yaml> [--json]            list the cells, feasible or skipped with the reason
  crbench run <matrix.yaml> --results <dir>      measure the feasible cells (root)
  crbench report <results-dir> --out <dir>       statistics, charts and the chapter; touches nothing on the host
  crbench teardown [--purge-cache]               remove everything crbench provisioned (root, idempotent)
  crbench compare <baseline> <candidate>         what changed between two results folders; exit 3 on a regression
  crbench merge <out-dir> <results-dir>...       combine the folders of the shards of one run
  crbench doctor [--json]                        check this host: what works, what is missing, how to fix it
  crbench <command> --help                       help for one command

Environment:
  CRBENCH_WORK_DIR   where image files, mounts and runtime state live (default /var/lib/crbench)

Exit codes: 0 ok, 1 failure, 2 bad input or usage, 3 compare found a regression,
130 interrupted (SIGINT), 143 terminated (SIGTERM).`;

interface Command {
  usage: string;
  positionals: string[];
  /** The last positional takes one or more values. */
  variadic?: boolean;
  options: NonNullable<ParseArgsConfig['options']>;
  action: (positionals: string[], values: OptionValues) => Promise<number>;
}

const say = (line: string): void => { process.stdout.write(`${line}\n`); };
const progress = (line: string): void => { process.stderr.write(`${line}\n`); };

const COMMANDS: Record<string, Command> = {
  validate: {
    usage: 'crbench validate <matrix.yaml>\n\nChecks the matrix against experiments/matrix.schema.json. Exit 0 when valid;\nexit 2 with every problem as `file:line:col message` otherwise.',
    positionals: ['matrix'],
    options: {},
    async action([matrixPath]) {
      const { matrix } = await validateMatrixFile(matrixPath as string);
      say(`${matrixPath}: valid matrix '${matrix.name}'`);
      return 0;
    },
  },
  plan: {
    usage: 'crbench plan <matrix.yaml> [--json] [--history <results-dir>]\n\nExpands the matrix into cells and says, for this host, which are feasible and\nwhy the others are skipped, with an estimated duration from earlier results of the\nsame cells (--history, or results/<matrix name> when it exists). --json prints the\ncells and the estimate as JSON.',
    positionals: ['matrix'],
    options: { json: { type: 'boolean' }, history: { type: 'string' } },
    async action([matrixPath], values) {
      const { cells, matrix } = await planMatrixFile(matrixPath as string);
      const historyDir = typeof values['history'] === 'string' ? values['history'] : path.join('results', matrix.name);
      const history = existsSync(path.join(historyDir, 'samples.jsonl')) ? readResults(historyDir).samples : null;
      const estimate = history === null ? null : estimateDuration(cells, matrix, history);
      if (values['json'] === true) {
        say(JSON.stringify({ cells, estimate: estimate === null ? null : { ...estimate, from: historyDir } }, null, 2));
        return 0;
      }
      say(formatPlan(cells));
      if (estimate === null) say(`estimated duration: unknown (no earlier results in ${historyDir}; give --history <results-dir>)`);
      else {
        const missing = estimate.cellsWithoutHistory.length;
        say(`estimated duration: ${formatDuration(estimate.totalMs)} from earlier results in ${historyDir}` +
          (missing > 0 ? ` (${missing} feasible cells have none and are not counted)` : ''));
      }
      return 0;
    },
  },
  run: {
    usage: `crbench run <matrix.yaml> --results <dir> [options]

Provisions a fresh loop-device volume per cell group and block, runs every feasible cell
through create, launch, execute, stop and clean, and appends each measurement to
<dir>/samples.jsonl as it is taken. Everything provisioned is removed at the end, also on
failure or Ctrl-C. A <dir> that already holds part of this run is continued where it
stopped (same matrix and host). Needs root.

Options:
  --results <dir>         the results folder (created, or continued)
  --only <axis>=<v1,v2>   run only the cells with these values (repeatable), e.g. --only runtime=runc,crun
  --shard <i>/<n>         run part i of n (1-based): whole cell groups, dealt round-robin; merge with crbench merge
  --reps <n>              measured repetitions per cell instead of the matrix's
  --seed <n>              seed for the order of cells and the bootstrap instead of the matrix's
  --fail-fast             stop at the first failed repetition (by default a failure is recorded and the run goes on)
  --force                 continue a folder measured with another matrix, host or selection`,
    positionals: ['matrix'],
    options: {
      results: { type: 'string' }, only: { type: 'string', multiple: true }, shard: { type: 'string' },
      reps: { type: 'string' }, seed: { type: 'string' }, 'fail-fast': { type: 'boolean' }, force: { type: 'boolean' },
    },
    async action([matrixPath], values) {
      const resultsDir = values['results'];
      if (typeof resultsDir !== 'string') throw usageError('run needs --results <dir>');
      const controller = new AbortController();
      let exitCode = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        exitCode = signal === 'SIGINT' ? 130 : 143;
        progress(`${signal}: finishing the current phase, then tearing down (results so far are kept)`);
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const manifest = await runMatrixFile(matrixPath as string, resultsDir, {
          signal: controller.signal, progress: createProgress(process.stderr),
          ...parseSelection(values),
        });
        const failed = Object.values(manifest.cellOutcomes ?? {}).some((outcome) => outcome.failedReps > 0);
        if (exitCode === 0 && values['fail-fast'] === true && failed) exitCode = 1;
        if (exitCode === 0) progress(`results in ${resultsDir}`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      return exitCode;
    },
  },
  report: {
    usage: 'crbench report <results-dir> --out <dir>\n\nAnalyses a results folder and writes the thesis chapters into <dir>: chapter4, chapter5\nand appendix as .md and .tex (with numbers.tex, to \\input), one measurements.html,\nmeasurements.pdf and chapter5.pdf, every appendix table as tables/<id>.csv, and the\nfigures (.vl.json, .svg, .pdf, .png). Reads only the results folder: the same folder gives\nbyte-identical output anywhere.',
    positionals: ['results'],
    options: { out: { type: 'string' } },
    async action([resultsDir], values) {
      const outDir = values['out'];
      if (typeof outDir !== 'string') throw usageError('report needs --out <dir>');
      const files = await renderReport(resultsDir as string, outDir);
      say(`wrote ${files.length} files to ${outDir}`);
      return 0;
    },
  },
  compare: {
    usage: `crbench compare <baseline-results> <candidate-results> [--threshold <percent>] [--fail-on-missing]

Compares two results folders cell by cell and phase by phase: medians, their ratio with a
bootstrap 95% CI, a Mann-Whitney p-value (Holm-adjusted over all rows) and Cliff's delta,
and prints the metrics that changed. A metric regressed when it got slower by more than
the threshold (default: the candidate matrix's regressionThresholdPercent) and the change
is significant. A row too small for any p to reach significance (at 3 repetitions against
3 no p goes below 0.1) is "not testable at n = 3 vs 3", never unchanged, and the summary
says so. Reads only the two folders.

Exit codes: 0 no regression (also when rows were not testable), 3 a regression (or, with
--fail-on-missing, a cell or phase the candidate lacks), 2 bad input.`,
    positionals: ['baseline', 'candidate'],
    options: { threshold: { type: 'string' }, 'fail-on-missing': { type: 'boolean' } },
    async action([baselineDir, candidateDir], values) {
      const baseline = readResults(baselineDir as string);
      const candidate = readResults(candidateDir as string);
      const raw = values['threshold'];
      const thresholdPercent = raw === undefined ? candidate.manifest.matrix.regressionThresholdPercent ?? 10 : Number(String(raw).replace(/%$/, ''));
      if (!Number.isFinite(thresholdPercent) || thresholdPercent < 0) throw usageError(`--threshold takes a percentage of at least 0, got '${String(raw)}'`);
      const report = compareRuns(baseline, candidate, { thresholdPercent, seed: baseline.manifest.matrix.seed });
      process.stdout.write(formatCompareReport(report));
      const missing = report.rows.some((row) => row.verdict === 'missing' && row.missingIn !== 'baseline');
      return hasRegression(report) || (values['fail-on-missing'] === true && missing) ? 3 : 0;
    },
  },
  merge: {
    usage: 'crbench merge <out-dir> <results-dir>...\n\nCombines the results folders of the shards of one run (crbench run --shard i/n)\ninto <out-dir>, which must be new or empty. Refuses folders of different matrices,\nof different hosts when the matrix says `hosts: one`, and folders that measured the\nsame cells.',
    positionals: ['out-dir', 'results-dir...'],
    variadic: true,
    options: {},
    async action([outDir, ...inputs]) {
      const merged = mergeResults(outDir as string, inputs);
      say(`merged ${inputs.length} folders into ${outDir}: ${merged.cells.filter((cell) => cell.feasible).length} feasible cells`);
      return 0;
    },
  },
  doctor: {
    usage: 'crbench doctor [--json]\n\nChecks this host for everything crbench needs: root, loop devices, each filesystem\nin the kernel and its tools, the cgroup mode, KVM, each runtime\'s binary and version,\nand what can bias timings (CPU governor, swap, load, free disk). Each problem comes\nwith what to install or change. `crbench plan` decides feasibility from the same facts.\nExit 1 when a check fails (warnings do not count), 0 otherwise.',
    positionals: [],
    options: { json: { type: 'boolean' } },
    async action(_positionals, values) {
      const rows = await runDoctor(resolveWorkDir());
      say(values['json'] === true ? JSON.stringify(rows, null, 2) : formatDoctor(rows));
      return rows.some((entry) => entry.status === 'fail') ? 1 : 0;
    },
  },
  teardown: {
    usage: 'crbench teardown [--purge-cache] [--force]\n\nRemoves every container, mount, loop device and image file crbench provisioned\nbelow its work directory ($CRBENCH_WORK_DIR, default /var/lib/crbench). Safe to run\nany time, also after a crash; running it twice is harmless. --purge-cache also\nremoves the cached image tarballs. It refuses while a crbench run is using the work\ndirectory, unless --force.',
    positionals: [],
    options: { 'purge-cache': { type: 'boolean' }, force: { type: 'boolean' } },
    async action(_positionals, values) {
      const report = await teardown({ purgeCache: values['purge-cache'] === true, force: values['force'] === true });
      say(`teardown: ${report.containerStates} runtime states, ${report.daemons} daemons, ${report.volumes} volumes, ${report.strayMounts} stray mounts, ${report.strayLoopDevices} stray loop devices removed`);
      return 0;
    },
  },
};

type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

function positiveInteger(values: OptionValues, name: string, minimum: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const number = Number(raw);
  if (!Number.isInteger(number) || number < minimum) throw usageError(`--${name} takes a whole number of at least ${minimum}, got '${String(raw)}'`);
  return number;
}

/** --only, --shard, --reps, --seed, --force and --fail-fast, checked. */
function parseSelection(values: OptionValues): Omit<RunOptions, 'signal' | 'progress'> {
  const selection: Omit<RunOptions, 'signal' | 'progress'> = {};
  for (const filter of (values['only'] as string[] | undefined) ?? []) {
    const match = /^([A-Za-z]+)=(.+)$/.exec(filter);
    const axis = match?.[1] as Axis | undefined;
    if (match === null || axis === undefined || !(AXES as readonly string[]).includes(axis)) {
      throw usageError(`--only takes <axis>=<value,value>, with an axis among ${AXES.join(', ')}; got '${filter}'`);
    }
    selection.only = { ...selection.only, [axis]: [...(selection.only?.[axis] ?? []), ...(match[2] ?? '').split(',')] };
  }
  const shard = values['shard'];
  if (typeof shard === 'string') {
    const match = /^(\d+)\/(\d+)$/.exec(shard);
    const [index, count] = [Number(match?.[1]), Number(match?.[2])];
    if (match === null || count < 1 || index < 1 || index > count) throw usageError(`--shard takes i/n with 1 <= i <= n, got '${shard}'`);
    selection.shard = { index: index - 1, count };
  }
  const repetitions = positiveInteger(values, 'reps', 1);
  const seed = positiveInteger(values, 'seed', 0);
  if (repetitions !== undefined) selection.repetitions = repetitions;
  if (seed !== undefined) selection.seed = seed;
  if (values['force'] === true) selection.force = true;
  if (values['fail-fast'] === true) selection.failFast = true;
  return selection;
}

function usageError(message: string): CrbenchError {
  return new CrbenchError('USAGE', `${message} (see crbench --help)`, { exitCode: 2 });
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    say(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (command === undefined) throw usageError(`unknown command '${name}'`);
    const { values, positionals } = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    });
    if (values['help'] === true) {
      say(command.usage);
      return 0;
    }
    const arity = command.variadic === true ? positionals.length >= command.positionals.length : positionals.length === command.positionals.length;
    if (!arity) {
      throw usageError(`${name} takes ${command.positionals.map((p) => `<${p}>`).join(' ') || 'no arguments'}`);
    }
    return await command.action(positionals, values);
  } catch (error) {
    if (error instanceof CrbenchError) {
      process.stderr.write(error.code === 'MATRIX_INVALID' ? `${error.message}\n` : `crbench: ${error.message}\n`);
      return error.exitCode;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      process.stderr.write(`crbench: ${(error as Error).message} (see crbench ${name} --help)\n`);
      return 2;
    }
    // An unexpected failure is a bug: say so plainly, keep the stack for whoever reports it.
    process.stderr.write(`crbench: internal error: ${(error as Error).message}\n`);
    if (process.env['CRBENCH_DEBUG'] !== undefined) process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}
