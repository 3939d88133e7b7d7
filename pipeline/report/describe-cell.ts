import { AXES, type Axis, type CellSummary } from '../types.ts';

type CellAxes = Pick<CellSummary, 'runtime' | 'storageDriver' | 'filesystem' | 'image' | 'workload' | 'lifecycle' | 'netns' | 'cgroup' | 'concurrency'>;

/** Of `axes` (all by default), those whose value differs between some of the peers. */
export function varyingAxes<K extends Axis>(peers: readonly Pick<CellSummary, K>[], axes: readonly K[] = AXES as readonly Axis[] as readonly K[]): K[] {
  return axes.filter((axis) => new Set(peers.map((peer) => peer[axis])).size > 1);
}

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
  if (varies('lifecycle')) details.push(`${cell.lifecycle} shape`);
  if (varies('netns')) details.push(`netns ${cell.netns}`);
  if (varies('cgroup')) details.push(`cgroup ${cell.cgroup}`);
  if (varies('concurrency')) details.push(`concurrency ${cell.concurrency}`);
  return details.length > 0 ? `${label}, ${details.join(', ')}` : label;
}

/** "runc · copy · ext4": runtime, storage driver and filesystem, what a platform configures. */
export function configurationLabel(cell: Pick<CellSummary, 'runtime' | 'storageDriver' | 'filesystem'>): string {
  return `${cell.runtime} · ${cell.storageDriver} · ${cell.filesystem}`;
}

/** "tiny · noop · N=4": the given axes' values ('' for none), concurrency as N=4, a lever as "netns reused". */
export function axisValuesLabel(cell: CellAxes, axes: readonly Axis[]): string {
  return axes.map((axis) => (axis === 'concurrency' ? `N=${cell.concurrency}` : axis === 'netns' || axis === 'cgroup' ? `${axis} ${cell[axis]}` : cell[axis])).join(' · ');
}

/**
 * The words naming a cell's statistics: the values of the axes that vary among its peers,
 * runtime always first, concurrency as "conc" + N. With only runtime and filesystem varying,
 * runc on ext4 gives ['runc', 'ext4'], and its launch median the macro
 * \crbRuncExtFourLaunchMedianMs.
 */
export function cellStatKey(cell: CellAxes, peers: readonly CellAxes[]): string[] {
  const axes = varyingAxes(peers).filter((axis) => axis !== 'runtime');
  return [cell.runtime, ...axes.map((axis) => (axis === 'concurrency' ? `conc ${cell.concurrency}` : String(cell[axis])))];
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

/** Values in order of first appearance, duplicates dropped. */
export function uniqueInOrder<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}
