import { AXES, splitRuntime, type Cell, type HostFacts } from '../types.ts';
import {
  AXIS_REQUIREMENTS,
  ACCELERATOR_REQUIREMENTS,
  AXIS_VALUE_SUPPORT,
  DRIVER_IMAGE_LIMITS,
  VM_ACCELERATORS,
  OCI_BEHIND_ENGINE,
  OCI_REQUIREMENTS,
  COMMON_REQUIREMENTS,
  IMAGE_PROVIDES,
  STORAGE_DRIVER_SUPPORT,
  WORKLOAD_LIFECYCLES,
  WORKLOAD_NEEDS,
  appliesTo,
  explainUnmet,
  readOnlyRootConflicts,
  refusalsOf,
  type Requirement,
} from './feasibility.ts';

/** One value per axis: what a cell is made of before feasibility is decided. */
export type Combination = Pick<Cell, 'runtime' | 'storageDriver' | 'filesystem' | 'image' | 'workload' | 'lifecycle' | 'netns' | 'cgroup' | 'concurrency'>;

/** Unmet requirements that share a cause, shown under one label (`filesystem zfs: …; …`). */
interface UnmetGroup {
  label: string | undefined;
  reasons: string[];
}

const AXIS_LABELS: Record<(typeof AXES)[number], string> = {
  runtime: 'runtime',
  storageDriver: 'storage driver',
  filesystem: 'filesystem',
  image: 'image',
  workload: 'workload',
  lifecycle: 'life-cycle shape',
  netns: 'network namespace',
  cgroup: 'cgroup',
  concurrency: 'concurrency',
};

/**
 * Why a combination cannot run on `host`, listing every unmet requirement so one read of
 * the plan says everything to install; undefined when it can run.
 *
 * Order: what nothing installable fixes (values not implemented, unsupported combinations),
 * then what every cell needs from the host, then each axis value in axis order.
 */
export function findSkipReason(combination: Combination, host: HostFacts): string | undefined {
  const groups: UnmetGroup[] = [{ label: 'host', reasons: unmetReasons(COMMON_REQUIREMENTS, host) }];
  for (const axis of AXES) {
    const value = String(combination[axis]);
    const requirements = requirementsOf(axis, value);
    const unsupported = requirements.filter((requirement) => requirement.kind === 'unsupported');
    // An unsupported value's reason already names itself; a label would only repeat it.
    groups.push({ label: undefined, reasons: unmetReasons(unsupported, host) });
    groups.push({
      label: `${AXIS_LABELS[axis]} ${value}`,
      reasons: unmetReasons(requirements.filter((requirement) => requirement.kind !== 'unsupported'), host),
    });
  }
  groups.push({ label: undefined, reasons: impossibleByDesign(combination) });
  return renderGroups(groups);
}

/** The requirements of one axis value; a runtime `engine+oci` needs both. */
export function requirementsOf(axis: (typeof AXES)[number], value: string): Requirement[] {
  const table = AXIS_REQUIREMENTS[axis];
  const unknown: Requirement[] = [{ kind: 'unsupported', reason: `the feasibility table has no entry for ${AXIS_LABELS[axis]} '${value}'` }];
  if (axis !== 'runtime') return table.values[value] ?? table.otherwise ?? unknown;
  const { engine, oci } = splitRuntime(value);
  const engineRequirements = table.values[engine] ?? unknown;
  if (oci === null) return engineRequirements;
  const variant = VM_ACCELERATORS[engine] !== undefined ? ACCELERATOR_REQUIREMENTS[oci] : OCI_REQUIREMENTS[oci];
  return [...engineRequirements, ...(variant ?? unknown)];
}

/**
 * Why no host could run this combination (a driver of another runtime, a shape or lever the
 * runtime has not got, an image without what the workload needs); empty when some host could.
 */
export function impossibleByDesign(combination: Combination): string[] {
  return [
    ...unsupportedOci(combination), ...unsupportedCombination(combination), ...unsupportedAxisValues(combination), ...imageLacksWorkloadNeeds(combination),
    ...readOnlyRootConflicts(combination.storageDriver, combination.workload), ...workloadShapeMismatch(combination),
    ...driverImageLimits(combination),
  ];
}

function driverImageLimits({ storageDriver, image }: Combination): string[] {
  const limit = DRIVER_IMAGE_LIMITS[storageDriver];
  return limit === undefined || limit.images.includes(image) ? [] : [`storage driver ${storageDriver} cannot hold image ${image}: ${limit.reason}`];
}

function unsupportedOci({ runtime }: Combination): string[] {
  const { engine, oci } = splitRuntime(runtime);
  const accelerators = VM_ACCELERATORS[engine]?.accelerators;
  if (accelerators !== undefined) {
    if (oci === null) return [`runtime ${engine} needs its accelerator: ${accelerators.map((accelerator) => `${engine}+${accelerator}`).join(' or ')}`];
    return accelerators.includes(oci) ? [] : [`${oci} is not an accelerator of ${engine} (${accelerators.join(', ')})`];
  }
  if (oci === null) return [];
  if (!OCI_BEHIND_ENGINE.engines.includes(engine)) return [`runtime ${engine} takes no OCI runtime behind it (only ${OCI_BEHIND_ENGINE.engines.join(', ')} do)`];
  return OCI_BEHIND_ENGINE.oci.includes(oci) ? [] : [`${oci} is not an OCI runtime ${engine} can run (${OCI_BEHIND_ENGINE.oci.join(', ')})`];
}

function unsupportedAxisValues(combination: Combination): string[] {
  const { engine } = splitRuntime(combination.runtime);
  return AXIS_VALUE_SUPPORT.filter((rule) => rule.values.includes(String(combination[rule.axis])) && !rule.engines.includes(engine))
    .map((rule) => `${AXIS_LABELS[rule.axis]} ${combination[rule.axis]} does not work with runtime ${combination.runtime}: ${rule.reason}`);
}

function unmetReasons(requirements: Requirement[], host: HostFacts): string[] {
  return requirements
    .filter((requirement) => appliesTo(requirement, host))
    .flatMap((requirement) => explainUnmet(requirement, host) ?? []);
}

function unsupportedCombination({ runtime: runtimeValue, storageDriver, filesystem }: Combination): string[] {
  const rows = STORAGE_DRIVER_SUPPORT[storageDriver];
  // A driver missing from the table is already reported as an unknown axis value.
  if (rows === undefined) return [];
  // docker+crun uses Docker's drivers.
  const runtime = splitRuntime(runtimeValue).engine;
  // Tried and refused (zfs on zfs-fuse, say): the tool's own words are the reason.
  const refused = refusalsOf(runtime, storageDriver, filesystem);
  if (refused.length > 0) return refused;
  const forRuntime = rows.filter((row) => row.runtimes.includes(runtime));
  if (forRuntime.length === 0) {
    const runtimes = [...new Set(rows.flatMap((row) => row.runtimes))].join(', ');
    return [`storage driver ${storageDriver} does not work with runtime ${runtime} (it is a driver of ${runtimes})`];
  }
  if (!forRuntime.some((row) => row.filesystems.includes(filesystem))) {
    const filesystems = [...new Set(forRuntime.flatMap((row) => row.filesystems))].join(', ');
    return [`storage driver ${storageDriver} does not work on ${filesystem} (it needs ${filesystems})`];
  }
  return [];
}

function workloadShapeMismatch({ workload, lifecycle }: Combination): string[] {
  const shapes = WORKLOAD_LIFECYCLES[workload];
  return shapes === undefined || shapes.includes(lifecycle) ? [] : [`workload ${workload} runs in the ${shapes.join(' or ')} shape only, not ${lifecycle}`];
}

function imageLacksWorkloadNeeds({ image, workload }: Combination): string[] {
  const provided = IMAGE_PROVIDES[image] ?? [];
  const missing = (WORKLOAD_NEEDS[workload] ?? []).filter((need) => !provided.includes(need));
  return missing.length === 0 ? [] : [`workload ${workload} needs ${missing.join(', ')}, which image ${image} does not have (use the grader image)`];
}

/** `label: a; b; other label: c`, each reason once (two values may need the same binary). */
function renderGroups(groups: UnmetGroup[]): string | undefined {
  const seen = new Set<string>();
  const parts: string[] = [];
  // Unlabelled reasons ("… is not implemented yet") come first: nothing installed fixes them,
  // and coming after a label they would read as part of that label's list.
  const ordered = [...groups.filter((group) => group.label === undefined), ...groups.filter((group) => group.label !== undefined)];
  for (const { label, reasons } of ordered) {
    const fresh = reasons.filter((reason) => !seen.has(reason));
    fresh.forEach((reason) => seen.add(reason));
    if (fresh.length === 0) continue;
    parts.push(label === undefined ? fresh.join('; ') : `${label}: ${fresh.join('; ')}`);
  }
  return parts.length === 0 ? undefined : parts.join('; ');
}
