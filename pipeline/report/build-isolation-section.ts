import { ISOLATION_LIMITS, type CellSummary, type IsolationLimit, type LimitSummary, type LimitVerdict, type Summary } from '../types.ts';
import { configurationLabel, uniqueInOrder } from './describe-cell.ts';
import { ref, stat, text, type Block, type Inline } from './document-model.ts';

export const ISOLATION_TABLE_ID = 'isolation';

/** How the chapter words each verdict. */
export const VERDICT_WORDS: Record<LimitVerdict, string> = {
  enforced: 'enforced',
  'enforced-sandbox-killed': 'enforced (sandbox killed)',
  'not-enforced': 'not enforced',
  unknown: 'could not tell',
  'not-run': 'not run',
};

/** What each probe does to test its limit. */
const PROBE_WORDS: Record<IsolationLimit, string> = {
  memory: 'a memory hog allocating four times the memory limit (limit-memory)',
  pids: 'a fork bomb starting more processes than the pids limit allows (limit-pids)',
  network: 'a look for network interfaces and routes other than loopback (limit-network)',
};

/**
 * The limits a configuration's probes found not enforced. The probes of the same runtime,
 * storage driver and filesystem decide; a configuration without probes of its own takes
 * those of its runtime and driver on another filesystem, else those of its runtime (limits
 * are the runtime's to apply), and then one "not enforced" among them is enough.
 */
export function limitsNotEnforced(cell: Pick<CellSummary, 'runtime' | 'storageDriver' | 'filesystem'>, limits: readonly LimitSummary[]): IsolationLimit[] {
  const sameRuntime = limits.filter((l) => l.runtime === cell.runtime);
  const sameDriver = sameRuntime.filter((l) => l.storageDriver === cell.storageDriver);
  const own = sameDriver.filter((l) => l.filesystem === cell.filesystem);
  const relevant = own.length > 0 ? own : sameDriver.length > 0 ? sameDriver : sameRuntime;
  return ISOLATION_LIMITS.filter((limit) => relevant.some((l) => l.limit === limit && l.verdict === 'not-enforced'));
}

/**
 * "### Isolation": which configuration enforces which limit, from the isolation probes: one
 * row per configuration and limit with the verdict, its evidence and the repetitions behind
 * it, and a paragraph naming the configurations where a limit did not hold. Nothing when
 * no probe was planned.
 */
export function buildIsolationSubsection(summary: Summary): Block[] {
  const limits = summary.limits ?? [];
  if (limits.length === 0) return [];
  const configurations = uniqueInOrder(limits.map((l) => configurationLabel(l)));
  const rows: Inline[][] = [];
  const groupStarts: number[] = [];
  for (const configuration of configurations) {
    if (rows.length > 0) groupStarts.push(rows.length);
    limits
      .filter((l) => configurationLabel(l) === configuration)
      .forEach((l, index) => {
        const key = ['limit', l.runtime, l.storageDriver, l.filesystem, l.limit];
        rows.push([[text(index === 0 ? configuration : '')], [text(l.limit)], [text(VERDICT_WORDS[l.verdict])], [stat([...key, 'n'], String(l.n))], [text(l.evidence)]]);
      });
  }
  const byVerdict = (verdict: LimitVerdict) => limits.filter((l) => l.verdict === verdict);
  const everyLimitHolds = configurations.filter((configuration) => {
    const own = limits.filter((l) => configurationLabel(l) === configuration);
    return own.length === ISOLATION_LIMITS.length && own.every((l) => l.verdict === 'enforced');
  });
  const listOf = (entries: readonly LimitSummary[]) => entries.map((l) => `${configurationLabel(l)} (${l.limit})`).join(', ');
  const findings: Inline = [
    text(
      everyLimitHolds.length === 0
        ? 'No configuration was seen to enforce all three limits. '
        : `${everyLimitHolds.length === configurations.length ? 'Every configuration probed' : everyLimitHolds.join(', ')} enforced all three limits. `,
    ),
  ];
  const notEnforced = byVerdict('not-enforced');
  if (notEnforced.length > 0) findings.push(text(`Not enforced: ${listOf(notEnforced)}; a submission there can exceed the limit, so these are not recommended over a configuration that enforces it. `));
  const unknown = byVerdict('unknown');
  if (unknown.length > 0) findings.push(text(`The probe could not tell for ${listOf(unknown)}. `));
  const notRun = byVerdict('not-run');
  if (notRun.length > 0) findings.push(text(`The probe did not run for ${listOf(notRun)}; its evidence says why. `));
  return [
    { kind: 'heading', level: 3, text: 'Isolation' },
    {
      kind: 'paragraph',
      content: [
        text(
          'Every container gets a memory limit, a pids limit and no network; the isolation probes check that they hold: ' +
            ISOLATION_LIMITS.map((limit) => PROBE_WORDS[limit]).join('; ') +
            '. A probe’s verdict is that of most of its measured repetitions. ',
        ),
        ref('table', ISOLATION_TABLE_ID, 0),
        text(' gives each verdict with its evidence. The probes’ phase times are in '),
        ref('table', 'per-configuration', 1),
        text(', but they are not ranked: they measure a limit being hit, not a life cycle.'),
      ],
    },
    { kind: 'paragraph', content: [text(findings.map((span) => span.text).join('').trimEnd())] },
    {
      kind: 'table',
      id: ISOLATION_TABLE_ID,
      number: '0',
      caption: 'Which limits each configuration enforces: the isolation probes’ verdict (majority over the measured repetitions, n), with the probe’s message or the error that kept it from running.',
      columns: [
        { title: 'runtime · driver · filesystem', align: 'left' },
        { title: 'limit', align: 'left' },
        { title: 'verdict', align: 'left' },
        { title: 'n', align: 'right' },
        { title: 'evidence', align: 'left' },
      ],
      rows,
      groupStarts,
    },
  ];
}
