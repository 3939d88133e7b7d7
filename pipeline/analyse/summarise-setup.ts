import { median } from 'simple-statistics';
import { SETUP_STEPS, type Manifest, type Sample, type SetupStep, type SetupSummary } from '../types.ts';

function isSetupStep(phase: Sample['phase']): phase is SetupStep {
  return (SETUP_STEPS as readonly string[]).includes(phase);
}

/**
 * The median of each setup step (provisioning the volume, starting the runtime, importing an
 * image) per cell group and image, from the successful samples. A setup sample carries its
 * group's id (in `cellId` and `groupId`); provision-volume and start-runtime have the image
 * `-`. Groups the manifest does not plan are left out, like unknown cells.
 *
 * Order: groups as the manifest first lists them, steps in SETUP_STEPS order (the order they
 * run), images as the matrix lists them ('-' first, unknown ones last by name).
 */
export function summariseSetup(manifest: Manifest, samples: readonly Sample[]): SetupSummary[] {
  const groupOrder = new Map<string, Manifest['cells'][number]>();
  for (const cell of manifest.cells) if (!groupOrder.has(cell.groupId)) groupOrder.set(cell.groupId, cell);

  const durations = new Map<string, number[]>();
  const keyOf = (groupId: string, step: SetupStep, image: string) => JSON.stringify([groupId, step, image]);
  for (const sample of samples) {
    if (!sample.ok || sample.warmup || !isSetupStep(sample.phase) || !groupOrder.has(sample.groupId)) continue;
    const key = keyOf(sample.groupId, sample.phase, sample.image);
    const list = durations.get(key);
    if (list) list.push(sample.durationMs);
    else durations.set(key, [sample.durationMs]);
  }

  const images = [...new Set(samples.filter((s) => isSetupStep(s.phase)).map((s) => s.image))].sort((a, b) => {
    const rank = (image: string) => {
      if (image === '-') return -1;
      const index = manifest.matrix.axes.image.indexOf(image);
      return index === -1 ? Number.MAX_SAFE_INTEGER : index;
    };
    return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
  });

  const setup: SetupSummary[] = [];
  for (const [groupId, cell] of groupOrder)
    for (const step of SETUP_STEPS)
      for (const image of images) {
        const values = durations.get(keyOf(groupId, step, image));
        if (!values) continue;
        setup.push({
          groupId,
          runtime: cell.runtime,
          storageDriver: cell.storageDriver,
          filesystem: cell.filesystem,
          image,
          step,
          n: values.length,
          medianMs: median([...values].sort((a, b) => a - b)),
        });
      }
  return setup;
}
