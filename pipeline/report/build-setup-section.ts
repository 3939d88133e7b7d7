import { buildSecurityProfile } from './build-security-profile.ts';
import { SETUP_STEPS, type Manifest, type SetupStep, type SetupSummary, type Summary } from '../types.ts';
import { compareCodeUnits, orderKeys, uniqueInOrder, varyingAxes } from './describe-cell.ts';
import { code, stat, text, type Block, type Inline, type TableColumn } from './document-model.ts';
import { formatGiB, formatMs, plural } from './format-numbers.ts';

/**
 * "## Setup": the machine and how it was prepared — host, tool versions (as the binaries
 * reported them), filesystems as made and mounted, the medians of the setup steps around
 * the life cycle, and the workarounds applied. From the manifest, but for the setup-step
 * medians, which come from the summary.
 */
export function buildSetupSection(manifest: Manifest, summary: Pick<Summary, 'setup'>): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'Setup' },
    ...buildProvenance(manifest),
    ...buildHost(manifest),
    ...buildTools(manifest),
    ...buildFilesystems(manifest),
    ...buildSetupSteps(summary.setup ?? []),
    ...buildSecurityProfile(manifest),
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

const STEP_TITLE: Record<SetupStep, string> = {
  'provision-volume': 'volume provisioning (ms)',
  'start-runtime': 'runtime start (ms)',
  'import-image': 'image import (ms)',
};

/**
 * The setup steps, timed apart from the life cycle: provisioning the volume (image file,
 * loop device, mkfs, mount), starting the runtime on it (a daemon, or state directories)
 * and importing each image. One row per cell group, medians in milliseconds.
 */
function buildSetupSteps(setup: readonly SetupSummary[]): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 3, text: 'Setup steps' }];
  if (setup.length === 0) {
    blocks.push({ kind: 'paragraph', content: [text('No setup step was recorded.')] });
    return blocks;
  }
  const ns = setup.map((entry) => entry.n);
  const low = Math.min(...ns);
  const high = Math.max(...ns);
  blocks.push({
    kind: 'paragraph',
    content: [
      text(
        'Steps around the life cycle, timed on their own and never inside a phase: provisioning a fresh volume ' +
          '(sparse image file, loop device, mkfs, mount), starting the runtime on it (its daemon, or its state ' +
          `directories) and importing each image. Medians in milliseconds, of ${low === high ? `n = ${low}` : `n = ${low}–${high}`} ` +
          `${high === 1 ? 'run' : 'runs'} per cell group.`,
      ),
    ],
  });
  const steps = SETUP_STEPS.filter((step) => setup.some((entry) => entry.step === step));
  const images = uniqueInOrder(setup.filter((entry) => entry.step === 'import-image').map((entry) => entry.image));
  const axes = varyingAxes(setup, ['runtime', 'storageDriver', 'filesystem']);
  const groups = uniqueInOrder(setup.map((entry) => entry.groupId));
  const columns: TableColumn[] = [
    { title: 'runtime · driver · filesystem', align: 'left' },
    ...steps.map((step): TableColumn => ({
      title: step === 'import-image' && images.length > 1 ? `image import (ms): ${images.join(', ')}` : STEP_TITLE[step],
      align: 'right',
    })),
  ];
  const rows = groups.map((groupId): Inline[] => {
    const entries = setup.filter((entry) => entry.groupId === groupId);
    const first = entries[0] as SetupSummary;
    const groupKey = ['setup', ...(axes.length > 0 ? axes : (['runtime'] as const)).map((axis) => first[axis])];
    return [
      [text(`${first.runtime} · ${first.storageDriver} · ${first.filesystem}`)],
      ...steps.map((step): Inline => {
        const ofStep = entries.filter((entry) => entry.step === step);
        if (ofStep.length === 0) return [text('—')];
        if (step !== 'import-image' || images.length === 1) {
          const entry = ofStep[0] as SetupSummary;
          return [stat([...groupKey, step, 'median ms'], formatMs(entry.medianMs))];
        }
        return images.flatMap((image, index): Inline => {
          const entry = ofStep.find((candidate) => candidate.image === image);
          const value = entry ? stat([...groupKey, image, step, 'median ms'], formatMs(entry.medianMs)) : text('—');
          return index === 0 ? [value] : [text(', '), value];
        });
      }),
    ];
  });
  blocks.push({ kind: 'table', columns, rows });
  return blocks;
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
