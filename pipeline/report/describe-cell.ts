import type { CellSummary } from '../types.ts';

type CellAxes = Pick<CellSummary, 'runtime' | 'storageDriver' | 'filesystem' | 'image' | 'workload' | 'concurrency'>;

/**
 * A short name for a cell among its peers, naming only the axes that vary between them:
 * "crun on ext4" when runtime and filesystem vary, "crun" when only the runtime does.
 * The runtime is always named, since it is what the chapter compares first.
 */
export function describeCell(cell: CellAxes, peers: readonly CellAxes[]): string {
  const varies = (axis: keyof CellAxes) => new Set(peers.map((peer) => peer[axis])).size > 1;
  let label = cell.runtime;
  if (varies('storageDriver')) label += ` with ${cell.storageDriver}`;
  if (varies('filesystem')) label += ` on ${cell.filesystem}`;
  const details: string[] = [];
  if (varies('image')) details.push(`image ${cell.image}`);
  if (varies('workload')) details.push(`workload ${cell.workload}`);
  if (varies('concurrency')) details.push(`concurrency ${cell.concurrency}`);
  return details.length > 0 ? `${label}, ${details.join(', ')}` : label;
}

/**
 * Orders keys the matrix lists first, in its order, then any others in code-unit order
 * (not localeCompare, which depends on the ICU data of the machine).
 */
export function orderKeys(keys: Iterable<string>, preferred: readonly string[]): string[] {
  const all = new Set(keys);
  const first = preferred.filter((key) => all.has(key));
  const rest = [...all].filter((key) => !preferred.includes(key)).sort(compareCodeUnits);
  return [...new Set([...first, ...rest])];
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
