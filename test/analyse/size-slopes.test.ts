import { strict as assert } from 'node:assert';
import { buildDurationSeries } from '../../pipeline/analyse/compare-series.ts';
import { leastSquaresSlope, sizeSlopes } from '../../pipeline/analyse/size-slopes.ts';
import { deriveSeed } from '../../pipeline/statistics/seeded-random.ts';
import type { CellSummary, Manifest } from '../../pipeline/types.ts';
import { loadResultsFixture } from '../fixtures/results/load-fixture.ts';

const GIB = 1024 ** 3;

function cell(storageDriver: string, image: string): CellSummary {
  return { cellId: `${storageDriver}.${image}`, runtime: 'runc', storageDriver, filesystem: 'ext4', image, workload: 'noop', lifecycle: 'exec', netns: 'fresh', cgroup: 'fresh', concurrency: 1, phases: {}, totalMedianMs: 0 };
}

describe('sizeSlopes()', () => {
  const { manifest: base } = loadResultsFixture();
  const images: Manifest['images'] = {
    small: { tarballSha256: 'a', tarballBytes: 0.0625 * GIB },
    medium: { tarballSha256: 'b', tarballBytes: 0.25 * GIB },
    large: { tarballSha256: 'c', tarballBytes: 1 * GIB },
  };
  const manifest: Manifest = { ...base, images };
  // A deep copy costs 1000 ms per GiB on top of 20 ms; copy-on-write costs 20 ms whatever the size.
  const createMs = (cellId: string) => (cellId.startsWith('copy') ? 20 + 1000 * images[cellId.split('.')[1]!]!.tarballBytes / GIB : 20);
  const cells = ['copy', 'overlay'].flatMap((driver) => ['small', 'medium', 'large'].map((image) => cell(driver, image)));
  const seriesOf = (cellId: string) => {
    const ms = createMs(cellId);
    return buildDurationSeries([ms * 0.97, ms * 0.99, ms, ms * 1.01, ms * 1.03], { seed: deriveSeed(5, cellId), resamples: 300 });
  };

  it('finds that a deep copy grows with the image and copy-on-write does not', () => {
    const slopes = sizeSlopes(manifest, cells, seriesOf).filter((slope) => slope.phase === 'create');
    const copy = slopes.find((slope) => slope.storageDriver === 'copy')!;
    const overlay = slopes.find((slope) => slope.storageDriver === 'overlay')!;
    assert.ok(Math.abs(copy.slopeMsPerGiB - 1000) < 1, `slope ${copy.slopeMsPerGiB}`);
    assert.equal(copy.grows, true);
    assert.equal(overlay.grows, false);
    assert.deepEqual(copy.points.map((point) => point.image), ['small', 'medium', 'large']);
  });

  it('needs three image sizes for a slope', () => {
    assert.deepEqual(sizeSlopes(manifest, cells.filter((c) => c.image !== 'large'), seriesOf), []);
  });
});

describe('leastSquaresSlope()', () => {
  it('is the slope of a line through its points', () => {
    assert.equal(leastSquaresSlope([0, 1, 2], [1, 3, 5]), 2);
  });
});
