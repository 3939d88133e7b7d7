import type { CellSummary } from '../types.ts';
import { uniqueInOrder } from './describe-cell.ts';

/**
 * The cells a recommendation ranks: one workload at one concurrency on one image, so that
 * the configurations (runtime, driver, filesystem) compete on the same job.
 */
export interface ReferenceSlice {
  workload: string;
  concurrency: number;
  image: string;
  /** Whether the workload grades (grade-…): what INGInious runs, as opposed to a stand-in. */
  grading: boolean;
  cells: CellSummary[];
}

/**
 * The grading workload measured at the highest concurrency (an exam peak is what INGInious
 * must withstand; the first grade-… listed on a tie), at that concurrency; without one, noop
 * (or the first workload measured) at its highest concurrency.
 * Of the images that ran it there, the one with the most cells, ties to the last listed
 * (matrices list the small image first). Undefined without cells.
 */
export function referenceSlice(cells: readonly CellSummary[]): ReferenceSlice | undefined {
  const workloads = uniqueInOrder(cells.map((cell) => cell.workload));
  const peakOf = (name: string) => Math.max(...cells.filter((cell) => cell.workload === name).map((cell) => cell.concurrency));
  const grading = workloads.filter((name) => name.startsWith('grade-'))
    .reduce<string | undefined>((best, name) => (best === undefined || peakOf(name) > peakOf(best) ? name : best), undefined);
  const workload = grading ?? workloads.find((candidate) => candidate === 'noop') ?? workloads[0];
  if (workload === undefined) return undefined;
  const ofWorkload = cells.filter((cell) => cell.workload === workload);
  const concurrency = Math.max(...ofWorkload.map((cell) => cell.concurrency));
  const atConcurrency = ofWorkload.filter((cell) => cell.concurrency === concurrency);
  const images = uniqueInOrder(atConcurrency.map((cell) => cell.image));
  let image = images[0] as string;
  for (const candidate of images) {
    const count = (name: string) => atConcurrency.filter((cell) => cell.image === name).length;
    if (count(candidate) >= count(image)) image = candidate;
  }
  return {
    workload,
    concurrency,
    image,
    grading: grading !== undefined,
    cells: atConcurrency.filter((cell) => cell.image === image),
  };
}
