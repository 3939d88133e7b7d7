/**
 * The contracts between the stages of the pipeline (see pipeline/index.ts for the chain).
 * A stage imports this file and its own folder, nothing else of another stage.
 * Durations carry their unit in the name; data written to disk carries `schemaVersion`.
 */

/** The five life-cycle phases of the thesis's Appendix A, in the order they run. */
export const LIFECYCLE_PHASES = ['create', 'launch', 'execute', 'stop', 'clean'] as const;
export type LifecyclePhase = (typeof LIFECYCLE_PHASES)[number];

/**
 * Steps around the life cycle that are timed and recorded but never mixed into a phase:
 * provisioning a volume (image file → loop → mkfs → mount), starting the runtime on it (a
 * daemon, state directories) and importing an image into it.
 */
export const SETUP_STEPS = ['provision-volume', 'start-runtime', 'import-image'] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

/**
 * What is measured besides durations, one sample each: a batch's makespan (first create to
 * last clean of its N containers), a container's peak memory (from its cgroup), the disk
 * its creation took on the volume, and the resident memory of the group's daemons (dockerd,
 * containerd, lxd… with their children) once its cells ran. `value` carries the amount, in `unit`.
 */
export const EXTRA_METRICS = ['makespan', 'peak-memory', 'disk-usage', 'runtime-rss'] as const;
export type ExtraMetric = (typeof EXTRA_METRICS)[number];

/** The axes of an experiment matrix, in the order they are expanded. */
export const AXES = ['runtime', 'storageDriver', 'filesystem', 'image', 'workload', 'lifecycle', 'netns', 'cgroup', 'concurrency'] as const;
export type Axis = (typeof AXES)[number];

/**
 * The two shapes of a container's life, compared only with themselves:
 * - `exec` (the thesis's Appendix A): the container starts a sleeping init, execute `exec`s the
 *   workload into it, stop kills the init;
 * - `command` (INGInious's docker agent): the workload is the container's own process; launch
 *   starts it, execute waits until it has exited and its output is read, stop has nothing to do.
 */
export const LIFECYCLES = ['exec', 'command'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

/**
 * A container's network namespace (SOCK's second lever): `fresh` per container (as Docker's
 * network_mode=none), `reused` from a pool of empty, pre-made ones, `host` none at all (breaks
 * isolation; measured only to bound the cost).
 */
export const NETNS_MODES = ['fresh', 'reused', 'host'] as const;
export type NetnsMode = (typeof NETNS_MODES)[number];

/** A container's cgroup (SOCK's third lever): made `fresh` per container, or `reused` from a pool with its limits written. */
export const CGROUP_MODES = ['fresh', 'reused'] as const;
export type CgroupMode = (typeof CGROUP_MODES)[number];

/** A validated experiment matrix (stage 1 output). */
export interface Matrix {
  schemaVersion: 1;
  name: string;
  description?: string;
  axes: {
    runtime: string[];
    storageDriver: string[];
    filesystem: string[];
    image: string[];
    workload: string[];
    lifecycle: Lifecycle[];
    netns: NetnsMode[];
    cgroup: CgroupMode[];
    concurrency: number[];
  };
  /**
   * Sets of axes each expanded on its own, the run taking the union of their cells; a
   * matrix written with `axes` has one part. `axes` above is then the union of the parts'
   * axes, in first-listed order.
   */
  parts?: { name: string; description?: string; axes: Matrix["axes"] }[];
  /** Measured repetitions per cell; with `adaptive`, the most a cell may get. */
  repetitions: number;
  /** Warm-up repetitions per cell and block, recorded with `warmup: true` and left out of statistics. */
  warmup: number;
  /** Repetitions of each cell per block; blocks run one after another, each in a seeded order. */
  blockRepetitions: number;
  /** Stop a cell once every phase's median is this precise (checked after each block). */
  adaptive?: { minRepetitions: number; targetRelativeHalfWidth: number };
  /** `crbench compare` fails on a significant slowdown larger than this. */
  regressionThresholdPercent: number;
  /** Whether merged results must come from one host. */
  hosts: 'one' | 'many';
  /** Size of each sparse image file behind a loop device. */
  volumeSizeMiB: number;
  /** Each phase is killed after this long and recorded as errored. */
  phaseTimeoutMs: number;
  /** Seed for everything random: the order of cells, bootstrap resampling. */
  seed: number;
  /** The open-loop load experiment (issue 14), run after the cells; absent: none. */
  load?: LoadExperiment;
  /** The questions chapter 5 answers, each a contrast with its hypothesis (see QuestionSpec). */
  questions?: QuestionSpec[];
  /** The workload the recommendations rank every runtime on. */
  referenceWorkload?: { workload: string; image: string; concurrency: number };
  /** The prefix of the LaTeX macros in numbers.tex (default `crb`), so two runs can both be input. */
  macroPrefix?: string;
}

/** One configuration the load experiment offers submissions to; storage driver and filesystem default per runtime. */
export interface LoadTarget {
  runtime: string;
  storageDriver?: string;
  filesystem?: string;
}

/**
 * The open-loop load experiment as the matrix declares it (defaults filled in by the schema):
 * per runtime, rate steps of Poisson arrivals served `slots` at a time from one FIFO queue.
 */
export interface LoadExperiment {
  runtimes: LoadTarget[];
  image: string;
  workload: string;
  lifecycle: Lifecycle;
  arrivals: 'poisson';
  /** Offered rates λ, or `auto`: autoRateCount rates from 10 % to 120 % of slots/E[S], E[S] measured at zero load. */
  ratesPerSecond: number[] | 'auto';
  autoRateCount: number;
  /** Submissions served one at a time, before the rate steps, that give E[S] for `auto`. */
  calibrationSubmissions: number;
  warmupS: number;
  /** The measured window of arrivals after the warm-up. */
  durationS: number;
  /** How long after the arrivals end the queue may drain before what is left is given up. */
  maxDrainS: number;
  /** Submissions in service at once; absent: the host's cores (INGInious's default concurrency). */
  slots?: number;
  sloP95Ms: number;
  repeats: number;
  exam: { students: number; submissionsPerStudent: number; windowMinutes: number };
}

/** Where a matrix came from, for messages and provenance. */
export interface MatrixSource {
  path: string;
  text: string;
  sha256: string;
}

/** A source position, 1-based, as editors show it. */
export interface SourcePosition {
  line: number;
  col: number;
}

/** One problem found while loading a matrix; `code` is stable, `message` says what to change. */
export interface MatrixProblem extends SourcePosition {
  file: string;
  code: string;
  message: string;
}

/** One combination of axis values (stage 2 output). */
export interface Cell {
  /** Stable across runs and plans: built from the axis values only. */
  id: string;
  /** Cells of one group share a freshly provisioned volume and runtime state. */
  groupId: string;
  runtime: string;
  storageDriver: string;
  filesystem: string;
  image: string;
  workload: string;
  lifecycle: Lifecycle;
  netns: NetnsMode;
  cgroup: CgroupMode;
  concurrency: number;
  feasible: boolean;
  /** Why the cell cannot run on this host; set exactly when `feasible` is false. */
  skipReason?: string;
  /**
   * Set on a skipped cell that no host could run (a driver of another runtime, a shape the
   * runtime has not got): the report counts those in one line instead of listing them.
   */
  skipByDesign?: boolean;
}

/**
 * A runtime value is an engine, optionally with the OCI runtime behind it: `docker+crun` is
 * Docker running crun (INGInious's `runtime=` option), `crun` is crun driven directly.
 */
export function splitRuntime(runtime: string): { engine: string; oci: string | null } {
  const plus = runtime.indexOf('+');
  return plus < 0 ? { engine: runtime, oci: null } : { engine: runtime.slice(0, plus), oci: runtime.slice(plus + 1) };
}

/** What the host offers, as probed by pipeline/host; plan decides feasibility from it. */
export interface HostFacts {
  isRoot: boolean;
  kernel: string;
  distribution: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  cgroupMode: 'v1' | 'v2' | 'hybrid' | 'none';
  /** Filesystem types the kernel knows (/proc/filesystems). */
  kernelFilesystems: string[];
  /** Absolute path of each binary the pipeline may need, or null when it is missing. */
  binaries: Record<string, string | null>;
  loopControl: boolean;
  /** Kernel features found by looking, e.g. 'device-mapper' (/dev/mapper/control). */
  kernelFeatures: string[];
  /** Whether a VM runtime can run here, proven by starting a guest, and why not. */
  vm: { usable: boolean; reason: string };
}

/** One fact about the host that can disturb measurements or stop a cell, with what to do. */
export interface HostCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** What to install or change; empty when nothing is needed. */
  fix: string;
}

/** What every line of samples.jsonl says about where it belongs. */
export interface SampleBase {
  schemaVersion: 2;
  cellId: string;
  groupId: string;
  runtime: string;
  storageDriver: string;
  filesystem: string;
  image: string;
  workload: string;
  /** '-' on setup samples, which belong to a group rather than a cell. */
  lifecycle: Lifecycle | '-';
  netns: NetnsMode | '-';
  cgroup: CgroupMode | '-';
  concurrency: number;
  /** The block of repetitions this sample belongs to (each block runs on a fresh volume). */
  block: number;
  /** Which of the `concurrency` containers of a batch (0-based); absent for batch-wide samples. */
  slot?: number;
  /**
   * Measured repetitions are numbered 0…repetitions−1 across blocks; warm-up repetitions
   * are numbered within their block. (cellId, block, rep, warmup, phase, slot) is unique.
   */
  rep: number;
  warmup: boolean;
  /** Wall-clock time the sample was taken, for provenance only (never used by the report). */
  startedAt: string;
}

/** One step of a timed phase or setup step, in the order run; gaps between steps are `harness`. */
export interface StepTiming {
  label: string;
  durationMs: number;
}

/** One life-cycle phase of one container, timed by the executor. */
export interface PhaseSample extends SampleBase {
  kind: 'phase';
  phase: LifecyclePhase;
  /** First step's start to last step's end; the steps' durations sum to it (gaps included as `harness`). */
  durationMs: number;
  steps: StepTiming[];
  /** CLOCK_MONOTONIC ms of the phase's start and end, for the batch's makespan. */
  startMs: number;
  endMs: number;
  ok: boolean;
  error?: string;
  /** What a probe workload found inside the container (probe-security's seccomp mode, say), on execute. */
  facts?: Record<string, string | number | boolean>;
}

/** A setup step of a group: provisioning its volume, starting its runtime, importing an image. */
export interface SetupSample extends SampleBase {
  kind: 'setup';
  phase: SetupStep;
  durationMs: number;
  steps?: StepTiming[];
  ok: boolean;
  error?: string;
}

/**
 * A measured amount that is no phase: a batch's makespan (durationMs, in ms), a container's
 * peak memory or the disk its creation took, a group's daemon memory (`value` in bytes,
 * durationMs 0).
 */
export interface MetricSample extends SampleBase {
  kind: 'metric';
  phase: ExtraMetric;
  durationMs: number;
  value?: number;
  unit?: 'bytes';
  ok: true;
  error?: undefined;
}

/**
 * One submission of an open-loop rate step (issue 14). Times are ms from the start of the rate
 * step on CLOCK_MONOTONIC (the executor's clock): latency = doneAt − intendedAt, waiting =
 * dispatchedAt − intendedAt. `cellId` names the load series (`load.<runtime>.<driver>.<fs>.<image>.<workload>`),
 * `rep` the submission's place in the step, `block` the repeat, `concurrency` the slots, `warmup`
 * an arrival in the warm-up window. A step's samples are written together once it is over;
 * `stepSubmissions` says how many it has, so a torn step is recognised and run again.
 */
export interface LoadSample extends SampleBase {
  kind: 'load';
  phase: 'load';
  /** The latency, doneAt − intendedAt; 0 when the submission was not done by the drain bound. */
  durationMs: number;
  ok: boolean;
  error?: string;
  /** ok: graded; errored: served without the expected result; abandoned: in service at the drain bound; unserved: still queued then. */
  state: 'ok' | 'errored' | 'abandoned' | 'unserved';
  ratePerSecond: number;
  /** The step's place in the sweep (ascending rates, 0-based); −1 for the zero-load calibration. */
  rateStepIndex: number;
  repeat: number;
  slots: number;
  warmupMs: number;
  measuredMs: number;
  intendedAtMs: number;
  dispatchedAtMs: number | null;
  doneAtMs: number | null;
  stepSubmissions: number;
  /** The submission's life cycle: each phase's duration and every step, phases in order. */
  phasesMs?: Partial<Record<LifecyclePhase, number>>;
  steps?: (StepTiming & { phase: LifecyclePhase })[];
}

/** One line of samples.jsonl (stage 4/5): a phase, a setup step, a metric or a load submission. */
export type Sample = PhaseSample | SetupSample | MetricSample | LoadSample;

/** Everything of a sample but what the sample measured: what the run stage fills in per container. */
export type SampleKey = Omit<SampleBase, 'startedAt'>;

/** The samples.jsonl format this version writes and reads. */
export const SAMPLES_SCHEMA_VERSION = 2;

/** What one command or request did, as logged: `durationMs` runs from its start to its end. */
export interface CommandRecord {
  argv: string[];
  durationMs: number;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not run, or was killed at the deadline. */
  failure?: string;
}

/** How one runtime is given the compared containers' confinement. */
export interface RuntimeSecurity {
  /** 'docker-default': the profile, through the runtime's own mechanism; 'own': the runtime's own defaults, not the profile. */
  profile: 'docker-default' | 'own';
  how: string;
  /** What differs from the profile, measured or read in the runtime's source; empty when nothing does. */
  gaps: string[];
}

/** The confinement every compared container gets, as the manifest records it (`securityProfile`). */
export interface SecurityProfileRecord {
  /** The Docker-format profile file the seccomp filter is built from, and the SHA-256 of its bytes. */
  seccompSource: string;
  seccompSha256: string;
  /** What the file is, beside Docker's own built-in profile. */
  seccompNote: string;
  /** The filter for this host: its default action (SCMP_ACT_ERRNO) and errno (38, ENOSYS), its architectures. */
  defaultAction: string;
  defaultErrnoRet: number | null;
  architectures: string[];
  /** Distinct system calls allowed without a condition, allowed for some arguments only, and named to be refused. */
  syscallsAllowed: number;
  syscallsAllowedConditionally: number;
  syscallsDenied: number;
  /** Bounding, effective and permitted set; the ambient set is empty. */
  capabilities: string[];
  /** The CapEff a root process in the container shows (/proc/self/status) with these capabilities. */
  capEff: string;
  noNewPrivileges: boolean;
  maskedPaths: string[];
  readonlyPaths: string[];
  /**
   * AppArmor on this host: when enabled, Docker and Podman confine with their profile
   * (docker-default, containers-default) and the bundles crbench writes name none, so the
   * profiles are not equal; when not enabled, no runtime has an AppArmor profile.
   */
  apparmor: { enabled: boolean; dockerDefaultApplies: boolean };
  /** Per runtime (runc, crun, runsc, docker, docker-cli, podman, lxc, lxd), how it applies the profile. */
  runtimes: Record<string, RuntimeSecurity>;
}

/** What one phase or setup step ran, for a cell's log (post-mortems). */
export interface LogEntry {
  cellId: string;
  label: string;
  records: CommandRecord[];
}

/** Provenance of a results folder (manifest.json). */
export interface Manifest {
  schemaVersion: 2;
  crbench: { version: string; gitCommit: string | null; gitDirty: boolean | null };
  matrixPath: string;
  matrixSha256: string;
  matrix: Matrix;
  host: HostFacts;
  /** Each tool's version line, asked from its binary. */
  toolVersions: Record<string, string>;
  /** mkfs and mount options per filesystem, as run. */
  filesystems: Record<string, { mkfsArgs: string[]; mountOptions: string[] }>;
  /** The command behind each phase, per runtime, for the report to cite. */
  phaseCommands: Record<string, Record<LifecyclePhase, string>>;
  /** Workarounds applied to make a runtime work on this host, per runtime. */
  workarounds: Record<string, string[]>;
  /** The confinement every compared container gets (Docker's default profile), and how each runtime is given it. */
  securityProfile?: SecurityProfileRecord;
  /** The clock's own cost: /bin/true timed exactly as a phase is, before the run. */
  harness?: { command: string; runs: number; medianMs: number; minMs: number; maxMs: number };
  /** Host conditions that can bias timings (governor, swap, load, disk, throttling), before and after the run. */
  hostChecks?: { before: HostCheck[]; after?: HostCheck[]; throttleCountBefore: number; throttleCountAfter?: number };
  /** Resource limits applied to every container. */
  limits?: { memoryBytes: number; pids: number; network: string; cpus?: number };
  /** Each image's cached tarball: its hash and size. */
  images?: Record<string, { tarballSha256: string; tarballBytes: number }>;
  /** The cells of this run: every planned cell, or those of its shard and filter. */
  cells: Cell[];
  /** What part of the matrix this run covers and which settings the command line changed. */
  selection?: { shard?: { index: number; count: number }; only?: Partial<Record<Axis, string[]>>; overrides?: { repetitions?: number; seed?: number } };
  /** How many measured repetitions each cell got, and why it got no more. */
  cellOutcomes?: Record<string, { measuredReps: number; failedReps: number; stoppedBecause: 'precise' | 'max-repetitions' | 'interrupted' | 'not-run' }>;
  startedAt: string;
  /** When a resumed run continued this folder. */
  resumedAt?: string[];
  /** The folders `crbench merge` combined into this one, with where and when each was measured. */
  mergedFrom?: { path: string; host: string; selection?: Manifest['selection']; startedAt: string; endedAt: string | null }[];
  endedAt: string | null;
}

/** Robust statistics of one phase of one cell (stage 6). */
export interface PhaseStats {
  n: number;
  errors: number;
  medianMs: number;
  /** Bootstrap 95% confidence interval of the median. */
  ciLowMs: number;
  ciHighMs: number;
  meanMs: number;
  stdDevMs: number;
  minMs: number;
  maxMs: number;
  /** First and third quartiles (type 7, like every percentile here): the box of a box plot. */
  p25Ms: number;
  p75Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Samples whose modified z-score (median/MAD) exceeds 3.5: counted and shown, never dropped. */
  outliers: number;
}

export interface CellSummary {
  cellId: string;
  runtime: string;
  storageDriver: string;
  filesystem: string;
  image: string;
  workload: string;
  lifecycle: Lifecycle;
  netns: NetnsMode;
  cgroup: CgroupMode;
  concurrency: number;
  /** Only phases with at least one successful measured sample appear. */
  phases: Partial<Record<LifecyclePhase, PhaseStats>>;
  /** Sum of the phase medians: the life cycle end to end. */
  totalMedianMs: number;
  /**
   * The life cycle end to end per complete repetition (create to clean of one container): the
   * median of those totals with its bootstrap CI. What the ranking and the chapter's totals use.
   */
  total?: { n: number; medianMs: number; ciLowMs: number; ciHighMs: number };
  /** Per phase, the median of each step (by label, in the order run): what dominates a phase. */
  steps?: Partial<Record<LifecyclePhase, StepTiming[]>>;
  /** What a probe workload found inside the containers (the last measured repetition's). */
  facts?: Record<string, string | number | boolean>;
  /**
   * Set when the cell's workload is an isolation probe (limit-memory, -pids, -network): its
   * phase times are real, but its execute phase tests a limit rather than grading, so it is
   * never ranked, compared or recommended on; its verdicts are in Summary.limits.
   */
  probe?: IsolationLimit;
  /**
   * The measured batches (repetitions) of N = concurrency containers run at once: makespan
   * from the first create to the last clean, its median with a bootstrap CI, and the
   * throughput N ÷ median makespan. Absent without a successful makespan sample.
   */
  batch?: BatchStats;
  /** Peak memory of each container's cgroup after execute; absent where the cgroup could not be read. */
  memory?: { n: number; peakMedianBytes: number; peakMaxBytes: number };
  /** What the volume grew by while a container was created (one container at a time only). */
  disk?: { n: number; medianBytes: number };
}

export interface BatchStats {
  n: number;
  makespanMedianMs: number;
  /** Bootstrap CI of the median makespan, at Summary.bootstrap.confidence. */
  makespanCiLowMs: number;
  makespanCiHighMs: number;
  /** Containers through their whole life cycle per second: concurrency × 1000 ÷ makespanMedianMs. */
  throughputPerSecond: number;
}

/** The limits the isolation probes test, in the order the report lists them. */
export const ISOLATION_LIMITS = ['memory', 'pids', 'network'] as const;
export type IsolationLimit = (typeof ISOLATION_LIMITS)[number];

/** The probe workload of each limit. */
export const PROBE_WORKLOADS: Record<IsolationLimit, string> = { memory: 'limit-memory', pids: 'limit-pids', network: 'limit-network' };

/**
 * What the probes of one limit said about one configuration: `enforced` (the limit held: the
 * probe's process was killed or refused), `enforced-sandbox-killed` (the limit held by ending
 * the whole sandbox, as gVisor does), `not-enforced` (it did not), `unknown` (the probe ran
 * but could not tell), `not-run` (the probe failed before it could test anything, or never ran).
 */
export const LIMIT_VERDICTS = ['enforced', 'enforced-sandbox-killed', 'not-enforced', 'unknown', 'not-run'] as const;
export type LimitVerdict = (typeof LIMIT_VERDICTS)[number];

/** The verdict of the isolation probes of one limit on one runtime · storage driver · filesystem. */
export interface LimitSummary {
  runtime: string;
  storageDriver: string;
  filesystem: string;
  limit: IsolationLimit;
  /** The verdict of most measured repetitions; a tie goes to the more cautious one (LIMIT_VERDICTS order after not-enforced). */
  verdict: LimitVerdict;
  /** The probe's message, or "the probe passed in k of n repetitions". */
  evidence: string;
  /** Measured repetitions (containers) of the probe, whatever their verdict. */
  n: number;
}

/** Resident memory of a group's daemons (dockerd, containerd and shims, lxd…) after its cells ran. */
export interface DaemonSummary {
  groupId: string;
  runtime: string;
  storageDriver: string;
  filesystem: string;
  /** Blocks that measured it. */
  n: number;
  rssMedianBytes: number;
}

/**
 * Two configurations compared on one phase: the ratio of their medians with a bootstrap CI,
 * a two-sided Mann-Whitney U p-value and an effect size. The report's sentences ("crun
 * launches 2.4× faster than runc") rest on these.
 */
export interface Comparison {
  phase: LifecyclePhase | 'total';
  /** The axis the two cells differ in, and each side's value on it. */
  axis: Axis;
  baselineCellId: string;
  candidateCellId: string;
  baselineValue: string;
  candidateValue: string;
  /** median(candidate) / median(baseline): below 1 means the candidate is faster. */
  ratio: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
  /** Cliff's delta in [-1, 1]: negative means the candidate tends to be faster. */
  effectSize: number;
  /** Holm-adjusted across every comparison of the run (one exploratory family). */
  pAdjusted: number;
  /** The one rule: adjusted p < 0.05 and the ratio's CI excludes 1. */
  significant: boolean;
}

/** The median of a setup step (volume, runtime start, image import) per group. */
export interface SetupSummary {
  groupId: string;
  runtime: string;
  storageDriver: string;
  filesystem: string;
  image: string;
  step: SetupStep;
  n: number;
  medianMs: number;
}

/** Everything the chart and report stages need; a pure function of the results folder. */
export interface Summary {
  schemaVersion: 1;
  matrixName: string;
  seed: number;
  bootstrap: { resamples: number; confidence: number };
  comparisons: Comparison[];
  setup: SetupSummary[];
  cells: CellSummary[];
  /** Daemon memory per group; empty when every runtime is daemonless. */
  daemons: DaemonSummary[];
  /** Verdicts of the isolation probes; empty when none was planned. */
  limits: LimitSummary[];
  /**
   * What adaptive stopping saved, when the matrix asked for it: cells that stopped before
   * `repetitions` because they were precise enough, the repetitions they did not need, and
   * those at each cell's median repetition time (its batch makespan).
   */
  adaptive?: { cells: number; cellsStoppedEarly: number; repetitionsSaved: number; savedMs: number };
  skipped: { cellId: string; reason: string }[];
  /** Cells that were feasible but produced no successful sample, with their first error. */
  failed: { cellId: string; error: string }[];
  /** Torn or invalid lines of samples.jsonl that were set aside. */
  setAsideLines: number;
  /** The open-loop load experiment, when the matrix had one and its samples are there. */
  load?: LoadSummary;
  /** The matrix's declared questions, answered (one family for the Holm adjustment). */
  questions?: QuestionAnswer[];
  /** Every runtime measured on the reference workload, each with its best driver and filesystem, per shape. */
  ranking?: Ranking;
  /** Chapter 5's first table: the recommended configuration, the fastest of each isolation class, Docker against the best. */
  headline?: Headline;
  /** Create and clean time against image size, per runtime and driver (the thesis's deep copy vs copy-on-write claim). */
  sizeSlopes?: SizeSlope[];
  /** The skipped cells grouped by reason, with counts; cells impossible by design in groups of their own. */
  skippedByReason?: SkipGroup[];
}

/** Which cells a side of a declared question takes: values per axis (an axis not named takes any value). */
export type CellSelector = Partial<Record<Axis, (string | number)[]>>;

/**
 * A question the matrix declares (`questions:`): a contrast between two named sets of cells on
 * a metric, with the hypothesis it tests. Cells are paired on the axes of `pairBy` (those the
 * two sides share); the effect is the geometric mean of candidate ÷ baseline over the pairs.
 */
export interface QuestionSpec {
  id: string;
  title: string;
  /** One line: "crun starts and runs a container faster than runc". */
  hypothesis: string;
  /** A phase, the life cycle end to end, a batch's makespan, or (kind slope) create time per GiB of image. */
  metric: LifecyclePhase | 'total' | 'makespan';
  baseline: CellSelector;
  candidate: CellSelector;
  /** The axes a baseline and a candidate cell must agree on to be compared. */
  pairBy: Axis[];
  /** What the hypothesis expects of candidate ÷ baseline: below 1 (`faster`), above 1 (`slower`), or at most/least `factor`. */
  expect: 'faster' | 'slower';
  /** A published claim's size ("twice as fast" → 0.5): supported only when the CI lies beyond it. */
  factor?: number;
  /** Where the hypothesis comes from (SOCK, the thesis's chapter 3…), for the paragraph. */
  source?: string;
}

export type QuestionVerdict = 'supported' | 'not supported' | 'inconclusive';

export interface QuestionAnswer {
  id: string;
  title: string;
  hypothesis: string;
  metric: QuestionSpec['metric'];
  expect: QuestionSpec['expect'];
  factor?: number;
  source?: string;
  /** Pairs of cells compared, and their ids. */
  pairs: { baselineCellId: string; candidateCellId: string; ratio: number }[];
  /** Geometric mean of candidate ÷ baseline medians over the pairs, with its bootstrap CI. */
  ratio: number;
  ciLow: number;
  ciHigh: number;
  /** The test's p across the pairs, and Holm-adjusted across the declared family. */
  pValue: number;
  pAdjusted: number;
  verdict: QuestionVerdict;
  /** Why it is inconclusive or could not be answered (no pair measured, too few samples). */
  note?: string;
}

/** What a configuration isolates with, from what was measured inside it plus what the runtime is. */
export type IsolationClass = 'container' | 'container, user namespace' | 'user-space kernel' | 'virtual machine' | 'virtual machine, emulated';

export interface RankingEntry {
  runtime: string;
  storageDriver: string;
  filesystem: string;
  lifecycle: Lifecycle;
  cellId: string;
  totalMedianMs: number;
  totalCiLowMs: number;
  totalCiHighMs: number;
  isolationClass: IsolationClass;
  /** The limit probes' verdicts for this runtime (any driver), and probe-security's facts. */
  limits: Partial<Record<IsolationLimit, LimitVerdict>>;
  facts?: Record<string, string | number | boolean>;
  /** Every limit held and the profile's seccomp filter and no_new_privs were measured inside. */
  isolationHolds: boolean;
  /** Every limit was probed on this runtime (a runtime not probed can neither hold nor fail). */
  isolationProbed: boolean;
  /** Under emulation (a VM under TCG): shown apart, never ranked against native runtimes. */
  emulated: boolean;
}

export interface Ranking {
  reference: { workload: string; image: string; concurrency: number };
  /** Per shape, the native runtimes fastest first; emulated ones apart; those that could not be measured, with why. */
  shapes: { lifecycle: Lifecycle; entries: RankingEntry[]; emulated: RankingEntry[]; unmeasured: { runtime: string; reason: string }[] }[];
}

export interface Headline {
  lifecycle: Lifecycle;
  /**
   * The fastest configuration whose isolation holds, on the reference workload; in a matrix
   * that probed no isolation at all, the fastest measured (`basis` says which).
   */
  recommended: RankingEntry | null;
  basis: 'isolation held' | 'isolation not probed';
  fastestPerClass: RankingEntry[];
  /** Docker as INGInious runs it today (docker, command shape) against the recommended configuration. */
  dockerVsBest: { docker: RankingEntry; best: RankingEntry; ratio: number; ciLow: number; ciHigh: number } | null;
}

export interface SizeSlope {
  runtime: string;
  storageDriver: string;
  filesystem: string;
  phase: 'create' | 'clean';
  /** Least-squares slope of the phase median against image size, with a bootstrap CI over repetitions. */
  slopeMsPerGiB: number;
  ciLowMsPerGiB: number;
  ciHighMsPerGiB: number;
  /** Whether the CI excludes 0: the phase grows with the image. */
  grows: boolean;
  points: { image: string; imageBytes: number; fileCount?: number; medianMs: number; diskBytes?: number }[];
}

export interface SkipGroup {
  reason: string;
  count: number;
  /** Impossible by design (a driver of another runtime): counted, never listed in the chapter. */
  byDesign: boolean;
  cellIds: string[];
}

/** What the load experiment found (pipeline/analyse/summarise-load-samples.ts), for the capacity chapter. */
export interface LoadSummary {
  sloP95Ms: number;
  exam: { students: number; submissionsPerStudent: number; windowMinutes: number };
  /** S·K/(M·60): the exam's mean arrival rate. */
  examRatePerSecond: number;
  /** Per series: its zero-load mean service time (the calibration, when there was one). */
  calibration: { runtime: string; configLabel: string; n: number; meanServiceMs: number }[];
  /** Per runtime and configuration, ascending rates (see summarise-load.ts for every field). */
  series: import('./analyse/summarise-load.ts').LoadSeriesSummary[];
  /** Hosts like this one the exam needs, per series; null where no tested rate was sustainable. */
  hostsForExam: { runtime: string; configLabel: string; hosts: number | null }[];
}
