import { LIFECYCLE_PHASES, type Manifest } from '../types.ts';
import { compareCodeUnits, orderKeys } from './describe-cell.ts';
import { code, text, type Block, type Inline } from './document-model.ts';
import { formatGiB, plural } from './format-numbers.ts';

/**
 * "## Setup": everything needed to repeat the measurement, taken from the manifest only —
 * host, tool versions (as the binaries reported them), filesystems as made and mounted, the
 * matrix, the command behind each phase and the workarounds applied.
 */
export function buildSetupSection(manifest: Manifest): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'Setup' },
    ...buildProvenance(manifest),
    ...buildHost(manifest),
    ...buildTools(manifest),
    ...buildFilesystems(manifest),
    ...buildMatrix(manifest),
    ...buildPhaseCommands(manifest),
    ...buildWorkarounds(manifest),
  ];
}

function buildProvenance(manifest: Manifest): Block[] {
  const { version, gitCommit, gitDirty } = manifest.crbench;
  const commit = gitCommit === null ? 'outside a git checkout' : `commit ${gitCommit.slice(0, 12)}${gitDirty ? ' with uncommitted changes' : ''}`;
  return [
    {
      kind: 'paragraph',
      content: [
        text(`Measured with crbench ${version} (${commit}), started ${manifest.startedAt}, `),
        text(manifest.endedAt === null ? 'not finished (the run was interrupted).' : `ended ${manifest.endedAt}.`),
      ],
    },
  ];
}

function buildHost(manifest: Manifest): Block[] {
  const host = manifest.host;
  return [
    { kind: 'heading', level: 3, text: 'Host' },
    {
      kind: 'list',
      items: [
        [text(`CPU: ${host.cpuModel}, ${plural(host.cores, 'core')}`)],
        [text(`Memory: ${formatGiB(host.memoryBytes)}`)],
        [text('Kernel: '), code(host.kernel)],
        [text(`Distribution: ${host.distribution}`)],
        [text(`cgroup mode: ${host.cgroupMode}`)],
        [text(`Running as root: ${host.isRoot ? 'yes' : 'no'}`)],
      ],
    },
  ];
}

function buildTools(manifest: Manifest): Block[] {
  const tools = Object.keys(manifest.toolVersions).sort(compareCodeUnits);
  return [
    { kind: 'heading', level: 3, text: 'Tool versions' },
    tools.length === 0
      ? { kind: 'paragraph', content: [text('No tool versions were recorded.')] }
      : {
          kind: 'table',
          columns: [
            { title: 'tool', align: 'left' },
            { title: 'version', align: 'left' },
          ],
          rows: tools.map((tool) => [[code(tool)], [code(manifest.toolVersions[tool] ?? '')]]),
        },
  ];
}

function buildFilesystems(manifest: Manifest): Block[] {
  const names = orderKeys(Object.keys(manifest.filesystems), manifest.matrix.axes.filesystem);
  return [
    { kind: 'heading', level: 3, text: 'Filesystems' },
    {
      kind: 'paragraph',
      content: [
        text(`Each cell group gets a fresh ${manifest.matrix.volumeSizeMiB} MiB sparse image file on a loop device, made and mounted as follows.`),
      ],
    },
    names.length === 0
      ? { kind: 'paragraph', content: [text('No filesystem was made.')] }
      : {
          kind: 'table',
          columns: [
            { title: 'filesystem', align: 'left' },
            { title: 'mkfs arguments', align: 'left' },
            { title: 'mount options', align: 'left' },
          ],
          rows: names.map((name) => {
            const fs = manifest.filesystems[name] ?? { mkfsArgs: [], mountOptions: [] };
            return [
              [text(name)],
              fs.mkfsArgs.length > 0 ? [code(fs.mkfsArgs.map(quoteArg).join(' '))] : [text('none')],
              fs.mountOptions.length > 0 ? [code(fs.mountOptions.join(','))] : [text('defaults')],
            ];
          }),
        },
  ];
}

function buildMatrix(manifest: Manifest): Block[] {
  const { matrix } = manifest;
  const feasible = manifest.cells.filter((cell) => cell.feasible).length;
  const axes = matrix.axes;
  const axisItems: [string, (string | number)[]][] = [
    ['runtimes', axes.runtime],
    ['storage drivers', axes.storageDriver],
    ['filesystems', axes.filesystem],
    ['images', axes.image],
    ['workloads', axes.workload],
    ['concurrency', axes.concurrency],
  ];
  return [
    { kind: 'heading', level: 3, text: 'Matrix' },
    {
      kind: 'list',
      items: [
        [text('Name: '), code(matrix.name), ...(matrix.description ? [text(`: ${matrix.description}`)] : [])],
        [text('File: '), code(manifest.matrixPath), text(', SHA-256 '), code(manifest.matrixSha256.slice(0, 12))],
        ...axisItems.map(([name, values]): Inline => [text(`${capitalise(name)}: ${values.join(', ')}`)]),
        [text(`Repetitions: ${matrix.repetitions} measured per cell, after ${matrix.warmup} warm-up ${matrix.warmup === 1 ? 'repetition' : 'repetitions'} left out of the statistics`)],
        [text(`Phase timeout: ${matrix.phaseTimeoutMs} ms`)],
        [text(`Seed: ${matrix.seed}`)],
        [text(`Cells: ${manifest.cells.length} planned, ${feasible} feasible on this host`)],
      ],
    },
  ];
}

function buildPhaseCommands(manifest: Manifest): Block[] {
  const runtimes = orderKeys(Object.keys(manifest.phaseCommands), manifest.matrix.axes.runtime);
  return [
    { kind: 'heading', level: 3, text: 'Phase commands' },
    {
      kind: 'paragraph',
      content: [text('The command timed for each life-cycle phase, per runtime, as the run recorded it.')],
    },
    runtimes.length === 0
      ? { kind: 'paragraph', content: [text('No phase commands were recorded.')] }
      : {
          kind: 'table',
          columns: [
            { title: 'runtime', align: 'left' },
            { title: 'phase', align: 'left' },
            { title: 'command', align: 'left' },
          ],
          rows: runtimes.flatMap((runtime) =>
            LIFECYCLE_PHASES.map((phase) => {
              const command = manifest.phaseCommands[runtime]?.[phase];
              return [[text(runtime)], [text(phase)], command ? [code(command)] : [text('not recorded')]];
            }),
          ),
        },
  ];
}

function buildWorkarounds(manifest: Manifest): Block[] {
  const runtimes = orderKeys(Object.keys(manifest.workarounds), manifest.matrix.axes.runtime);
  const items = runtimes.flatMap((runtime): Inline[] => {
    const applied = manifest.workarounds[runtime] ?? [];
    if (applied.length === 0) return [[text(`${runtime}: none`)]];
    return applied.map((workaround) => [text(`${runtime}: ${workaround}`)]);
  });
  return [
    { kind: 'heading', level: 3, text: 'Workarounds' },
    items.length === 0 ? { kind: 'paragraph', content: [text('None were applied.')] } : { kind: 'list', items },
  ];
}

/** Quotes an argument the way a shell would need it, so the command can be copied. */
function quoteArg(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
