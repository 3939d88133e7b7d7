import type { RankingEntry, Summary } from '../../types.ts';
import { describeExamCapacity } from '../exam-capacity.ts';
import { text, type Block, type Inline } from '../document-model.ts';
import { formatFactor, formatMs } from '../format-numbers.ts';
import { isolationWords } from './build-results.ts';
import { entryLabel, msWithCi, ratioWithCi, VERDICT_LABEL } from './words.ts';

/**
 * "5.3 Recommendations": what to run, from the ranking and the isolation measured: the
 * recommended configuration and why, its driver and filesystem against the others measured,
 * the fastest of each stronger isolation class and its price, what to change in INGInious,
 * how many hosts an exam needs, and which candidates could not be measured.
 */
export function buildRecommendations(summary: Summary): Block[] {
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'Recommendations' }];
  const headline = summary.headline;
  const best = headline?.recommended;
  if (!summary.ranking || !headline || !best) {
    blocks.push({ kind: 'paragraph', content: [text('Nothing measured on the reference workload had its isolation confirmed, so this run recommends nothing; the ranking in Section 5.1 stands without a recommendation.')] });
    return blocks;
  }
  const all = summary.ranking.shapes.flatMap((shape) => shape.entries);
  const faster = all.filter((entry) => entry.totalMedianMs < best.totalMedianMs && !entry.isolationHolds);
  const items: Inline[] = [];
  items.push([
    text(
      headline.basis === 'isolation held'
        ? `Run ${entryLabel(best)} in the ${best.lifecycle} shape: ${msWithCi(best.totalMedianMs, best.totalCiLowMs, best.totalCiHighMs)} per submission, the fastest measured with every limit enforced and the seccomp filter and no_new_privs seen inside.`
        : `${entryLabel(best)} in the ${best.lifecycle} shape was fastest: ${msWithCi(best.totalMedianMs, best.totalCiLowMs, best.totalCiHighMs)} per submission. This matrix probed no isolation, so measure the isolation probes (limit-memory, limit-pids, limit-network, probe-security) before running it.`,
    ),
    text(faster.length > 0 ? ` Faster but not recommended: ${faster.map((entry) => `${entryLabel(entry)} (${entry.lifecycle}, ${formatMs(entry.totalMedianMs)} ms; ${isolationWords(entry)})`).join('; ')}.` : ''),
  ]);
  const runnerUp = summary.ranking.shapes.find((shape) => shape.lifecycle === best.lifecycle)?.entries.find((entry) => entry.isolationHolds && entry.runtime !== best.runtime);
  if (runnerUp) {
    items.push([text(`Runner-up with its isolation held: ${entryLabel(runnerUp)}, ${msWithCi(runnerUp.totalMedianMs, runnerUp.totalCiLowMs, runnerUp.totalCiHighMs)} (${formatFactor(runnerUp.totalMedianMs / best.totalMedianMs)}× the recommendation), the choice where ${best.runtime} cannot be used.`)]);
  }
  const sameRuntime = summary.cells
    .filter((cell) => cell.runtime === best.runtime && cell.lifecycle === best.lifecycle && cell.workload === summary.ranking!.reference.workload && cell.image === summary.ranking!.reference.image && cell.concurrency === summary.ranking!.reference.concurrency && cell.netns === 'fresh' && cell.cgroup === 'fresh' && cell.cellId !== best.cellId)
    .filter((cell) => cell.total !== undefined)
    .sort((a, b) => a.total!.medianMs - b.total!.medianMs);
  if (sameRuntime.length > 0) {
    items.push([text(`Driver and filesystem: with ${best.runtime}, ${best.storageDriver} on ${best.filesystem} was fastest (${formatMs(best.totalMedianMs)} ms); ${sameRuntime.map((cell) => `${cell.storageDriver} on ${cell.filesystem} ${msWithCi(cell.total!.medianMs, cell.total!.ciLowMs, cell.total!.ciHighMs)}`).join(', ')}.`)]);
  }
  for (const entry of headline.fastestPerClass) {
    if (entry.isolationClass.startsWith('container') || entry.cellId === best.cellId) continue;
    items.push([text(`Where a ${entry.isolationClass} is wanted (code that must not reach the host kernel's full system-call surface), ${entryLabel(entry)} costs ${formatFactor(entry.totalMedianMs / best.totalMedianMs)}× the recommendation: ${formatMs(entry.totalMedianMs)} ms per submission.`)]);
  }
  const docker = headline.dockerVsBest;
  if (docker) {
    const command = summary.ranking.shapes.find((shape) => shape.lifecycle === 'command');
    const dockerCrun = command?.entries.find((entry) => entry.runtime === 'docker+crun');
    items.push([
      text(`For INGInious today: its Docker (${entryLabel(docker.docker)}) takes ${ratioWithCi(docker.ratio, docker.ciLow, docker.ciHigh)} as long as the recommendation.`),
      text(dockerCrun ? ` Only switching Docker's OCI runtime to crun (runtime=crun) gives ${formatMs(dockerCrun.totalMedianMs)} ms, ${formatFactor(dockerCrun.totalMedianMs / docker.docker.totalMedianMs)}× Docker's time; the rest of the gap is Docker's own daemon path.` : ''),
    ]);
  }
  const load = summary.load;
  if (load && load.series.length > 0) {
    items.push([
      text(
        `For an exam day: ${lowerFirst(describeExamCapacity(load.exam, load.series.map((series) => ({ runtime: series.runtime, maxSustainableRatePerSecond: series.maxSustainableRatePerSecond })), load.sloP95Ms))} Size for the busiest stretch before a deadline, not the exam's average.`,
      ),
    ]);
  }
  // Only a runtime measured in no shape; one measured in the other shape is ranked there.
  const unmeasured = summary.ranking.shapes
    .flatMap((shape) => shape.unmeasured)
    .filter((entry, index, list) => list.findIndex((other) => other.runtime === entry.runtime) === index)
    .filter((entry) => !all.some((ranked) => ranked.runtime === entry.runtime));
  if (unmeasured.length > 0) {
    items.push([text(`Not measured on the reference workload, so not recommended either way: ${unmeasured.map((entry) => entry.runtime).join(', ')} (Section 5.1 says why).`)]);
  }
  blocks.push({ kind: 'list', items });
  return blocks;
}

/** "5.4 Summary": at most six bullets, each answering part of the research question with its number. */
export function buildSummary(summary: Summary): Block[] {
  const items: Inline[] = [];
  const headline = summary.headline;
  const best = headline?.recommended;
  if (best) items.push([text(`Fastest configuration${headline!.basis === 'isolation held' ? ' whose isolation held' : ' (isolation not probed)'}: ${entryLabel(best)} (${best.lifecycle} shape), ${formatMs(best.totalMedianMs)} ms per submission on the reference workload.`)]);
  if (headline?.dockerVsBest) items.push([text(`Docker as INGInious runs it takes ${ratioWithCi(headline.dockerVsBest.ratio, headline.dockerVsBest.ciLow, headline.dockerVsBest.ciHigh)} as long.`)]);
  const stronger = headline?.fastestPerClass.find((entry) => !entry.isolationClass.startsWith('container'));
  if (best && stronger) items.push([text(`Stronger isolation costs: the fastest ${stronger.isolationClass}, ${entryLabel(stronger)}, takes ${formatFactor(stronger.totalMedianMs / best.totalMedianMs)}× as long.`)]);
  const questions = summary.questions ?? [];
  const storage = questions.find((answer) => answer.metric === 'create' && answer.id.includes('cow'));
  if (storage) items.push([text(`${storage.title} ${capitalised(VERDICT_LABEL[storage.verdict])}: ${Number.isFinite(storage.ratio) ? ratioWithCi(storage.ratio, storage.ciLow, storage.ciHigh) : 'not measured'}.`)]);
  const sock = questions.filter((answer) => answer.id.startsWith('sock-'));
  if (sock.length > 0) items.push([text(`SOCK's hypotheses: ${sock.map((answer) => `${answer.title.replace(/\?.*$/, '?')} ${VERDICT_LABEL[answer.verdict]}${Number.isFinite(answer.ratio) ? ` (${formatFactor(answer.ratio)}×)` : ''}`).join('; ')}.`)]);
  const load = summary.load;
  if (load && load.series.length > 0) {
    items.push([text(describeExamCapacity(load.exam, load.series.map((series) => ({ runtime: series.runtime, maxSustainableRatePerSecond: series.maxSustainableRatePerSecond })), load.sloP95Ms))]);
  }
  if (items.length === 0) {
    return [{ kind: 'heading', level: 2, text: 'Summary' }, { kind: 'paragraph', content: [text('Without a reference workload, declared questions or a load experiment, this run answers no part of the research question; its measurements are in Section 5.1 and Appendix A.')] }];
  }
  return [{ kind: 'heading', level: 2, text: 'Summary' }, { kind: 'list', items: items.slice(0, 6) }];
}

function lowerFirst(value: string): string {
  return value[0]!.toLowerCase() + value.slice(1);
}

function capitalised(value: string): string {
  return value[0]!.toUpperCase() + value.slice(1);
}

export type { RankingEntry };
