import type { Headline, Ranking, RankingEntry, Summary } from '../../types.ts';
import { ref, text, type Block, type Inline } from '../document-model.ts';
import { formatFactor } from '../format-numbers.ts';
import { isolationWords } from './build-results.ts';
import { cite, entryLabel, msWithCi, ratioWithCi } from './words.ts';

export const HEADLINE_TABLE_ID = 'headline';

/**
 * Chapter 5's opening: one paragraph that answers the research question (the configuration
 * to run, its time, what Docker costs against it, what stronger isolation costs) and the
 * headline table behind it. Every number is a macro an author may cite.
 */
export function buildAnswer(summary: Summary): Block[] {
  const headline = summary.headline;
  const ranking = summary.ranking;
  if (!headline || !ranking || !headline.recommended) {
    return [{ kind: 'paragraph', content: [text(noAnswer(summary, ranking))] }];
  }
  const best = headline.recommended;
  const reference = ranking.reference;
  const content: Inline = [
    text(
      `For grading one submission at a time (${reference.workload} on the ${reference.image} image, the reference workload), the fastest configuration ` +
        (headline.basis === 'isolation held' ? 'whose isolation held is ' : 'measured (this matrix probed no isolation, so it is not yet a recommendation) is '),
    ),
    cite(entryLabel(best), 'recommended', 'configuration'),
    text(` in the ${best.lifecycle} shape: `),
    cite(msWithCi(best.totalMedianMs, best.totalCiLowMs, best.totalCiHighMs), 'recommended', 'total'),
    text(' from create to clean (median, 95 % CI).'),
  ];
  const docker = headline.dockerVsBest;
  if (docker) {
    content.push(
      text(' Docker as INGInious runs it today ('),
      text(entryLabel(docker.docker)),
      text(', command shape) takes '),
      cite(ratioWithCi(docker.ratio, docker.ciLow, docker.ciHigh), 'docker', 'vs', 'best'),
      text(' as long.'),
    );
  }
  const stronger = headline.fastestPerClass.filter((entry) => !entry.isolationClass.startsWith('container'));
  for (const entry of stronger) {
    content.push(text(` The fastest ${entry.isolationClass} (${entryLabel(entry)}) takes ${formatFactor(entry.totalMedianMs / best.totalMedianMs)}× as long as the recommendation.`));
  }
  content.push(text(' '), ref('table', HEADLINE_TABLE_ID, 1), text(' has the numbers; Sections 5.1–5.3 the evidence.'));
  return [{ kind: 'paragraph', content }, headlineTable(headline, ranking)];
}

function noAnswer(summary: Summary, ranking: Ranking | undefined): string {
  if (!ranking) return 'The matrix declares no reference workload (referenceWorkload), so this run ranks no configuration; the results below stand on their own.';
  const measured = ranking.shapes.flatMap((shape) => shape.entries);
  if (measured.length === 0) return `No runtime was measured on the reference workload (${ranking.reference.workload} on ${ranking.reference.image}), so there is nothing to recommend yet.`;
  return `No configuration measured on the reference workload had its isolation confirmed (every limit enforced and the seccomp filter and no_new_privs seen inside), so none is recommended; ${summary.ranking?.shapes.length ?? 0} shapes were ranked anyway (Section 5.1).`;
}

function headlineTable(headline: Headline, ranking: Ranking): Block {
  const rows: { role: string; entry: RankingEntry; ratio?: string }[] = [{ role: 'Recommended', entry: headline.recommended! }];
  for (const entry of headline.fastestPerClass) {
    if (entry.cellId !== headline.recommended!.cellId) rows.push({ role: `Fastest ${entry.isolationClass}`, entry });
  }
  if (headline.dockerVsBest) rows.push({ role: 'Docker (INGInious today)', entry: headline.dockerVsBest.docker, ratio: ratioWithCi(headline.dockerVsBest.ratio, headline.dockerVsBest.ciLow, headline.dockerVsBest.ciHigh) });
  const best = headline.recommended!;
  return {
    kind: 'table',
    id: HEADLINE_TABLE_ID,
    caption: `The answer on the reference workload (${ranking.reference.workload}, ${ranking.reference.image}, one container at a time): median time from create to clean with its 95 % bootstrap CI, and the ratio of medians to the recommended configuration (with its CI for Docker).`,
    columns: [
      { title: 'Role', align: 'left' },
      { title: 'Configuration', align: 'left' },
      { title: 'Shape', align: 'left' },
      { title: 'Isolation', align: 'left' },
      { title: 'Total (ms)', align: 'right' },
      { title: '× recommended', align: 'right' },
    ],
    rows: rows.map(({ role, entry, ratio }) => [
      [text(role)],
      [text(entryLabel(entry))],
      [text(entry.lifecycle)],
      [text(isolationWords(entry))],
      [text(msWithCi(entry.totalMedianMs, entry.totalCiLowMs, entry.totalCiHighMs).replace(' ms', ''))],
      [text(ratio ?? (entry.cellId === best.cellId ? '1' : `${formatFactor(entry.totalMedianMs / best.totalMedianMs)}×`))],
    ]),
  };
}
