import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { cacheKeyOf, tarArgs } from '../../../provision/images/cache-tarball.ts';
import { BASE_RECIPE_VERSION, PACKAGES, graderBaseKey, graderKey } from '../../../provision/images/grader.ts';
import { IMAGES } from '../../../provision/images/index.ts';
import { tinyKey } from '../../../provision/images/tiny.ts';

const MIRROR = 'http://deb.debian.org/debian';
const DEBOOTSTRAP = 'debootstrap 1.0.128+nmu2+deb12u2';

describe('the image registry', () => {
  it('has a recipe for every image the schema allows', () => {
    const schema = JSON.parse(readFileSync('experiments/matrix.schema.json', 'utf8')) as { definitions: { axes: { properties: { image: { items: { enum: string[] } } } } } };
    assert.deepEqual(Object.keys(IMAGES).sort(), [...schema.definitions.axes.properties.image.items.enum].sort());
    assert.deepEqual(Object.keys(IMAGES).sort(), ['grader', 'sized-1g', 'sized-256m', 'sized-64m', 'tiny']);
  });
});

describe('cacheKeyOf()', () => {
  it('is 16 hex digits, stable, and tells apart lists that concatenate alike', () => {
    assert.match(cacheKeyOf(['a', 'b']), /^[0-9a-f]{16}$/);
    assert.equal(cacheKeyOf(['a', 'b']), cacheKeyOf(['a', 'b']));
    assert.notEqual(cacheKeyOf(['ab', '']), cacheKeyOf(['a', 'b']));
  });
});

describe('tinyKey()', () => {
  it('changes with the recipe version or the busybox binary, not otherwise', () => {
    const key = tinyKey({ busyboxSha256: 'aa' });
    assert.equal(tinyKey({ busyboxSha256: 'aa' }), key);
    assert.notEqual(tinyKey({ busyboxSha256: 'bb' }), key);
    assert.notEqual(tinyKey({ busyboxSha256: 'aa', recipeVersion: 'tiny-999' }), key);
  });
});

describe('graderBaseKey()', () => {
  const key = graderBaseKey({ mirror: MIRROR, debootstrapVersion: DEBOOTSTRAP });

  it('is the same for the same inputs, whatever the day (no date goes in)', () => {
    assert.equal(graderBaseKey({ mirror: MIRROR, debootstrapVersion: DEBOOTSTRAP }), key);
    assert.equal(graderBaseKey({ mirror: MIRROR, debootstrapVersion: DEBOOTSTRAP, packages: [...PACKAGES].reverse() }), key,
      'the package list is a set: its order does not matter');
    assert.equal(graderBaseKey({ mirror: MIRROR, debootstrapVersion: DEBOOTSTRAP, recipeVersion: BASE_RECIPE_VERSION }), key);
  });

  it('changes with the recipe version, the package list, the mirror and the debootstrap version', () => {
    const variants = [
      graderBaseKey({ mirror: MIRROR, debootstrapVersion: DEBOOTSTRAP, recipeVersion: 'grader-base-999' }),
      graderBaseKey({ mirror: MIRROR, debootstrapVersion: DEBOOTSTRAP, packages: [...PACKAGES, 'valgrind'] }),
      graderBaseKey({ mirror: MIRROR, debootstrapVersion: DEBOOTSTRAP, packages: PACKAGES.slice(1) }),
      graderBaseKey({ mirror: 'http://ftp.be.debian.org/debian', debootstrapVersion: DEBOOTSTRAP }),
      graderBaseKey({ mirror: MIRROR, debootstrapVersion: 'debootstrap 1.0.134' }),
    ];
    assert.equal(new Set([key, ...variants]).size, variants.length + 1);
  });
});

describe('graderKey()', () => {
  const inputs = { baseKey: 'base', busyboxSha256: 'bb', tasksHash: 'tt' };
  const key = graderKey(inputs);

  it('changes with the base, the busybox binary, the tasks or its recipe version, not otherwise', () => {
    assert.equal(graderKey({ ...inputs }), key);
    const variants = [
      graderKey({ ...inputs, baseKey: 'other' }),
      graderKey({ ...inputs, busyboxSha256: 'other' }),
      graderKey({ ...inputs, tasksHash: 'other' }),
      graderKey({ ...inputs, recipeVersion: 'grader-999' }),
    ];
    assert.equal(new Set([key, ...variants]).size, variants.length + 1);
  });
});

describe('tarArgs()', () => {
  it('flattens mtimes and owners by default, and clamps mtimes keeping owners for a distribution root', () => {
    const flat = tarArgs('/r', '/t.tar', { sourceDateEpoch: 0, clampMtime: false, keepOwners: false });
    assert.ok(flat.includes('--sort=name') && flat.includes('--mtime=@0') && flat.includes('--owner=0') && !flat.includes('--clamp-mtime'));
    const clamped = tarArgs('/r', '/t.tar', { sourceDateEpoch: 1_700_000_000, clampMtime: true, keepOwners: true });
    assert.ok(clamped.includes('--mtime=@1700000000') && clamped.includes('--clamp-mtime') && clamped.includes('--numeric-owner'));
    assert.ok(!clamped.includes('--owner=0') && !clamped.includes('--group=0'));
    assert.deepEqual(clamped.slice(-5), ['-cf', '/t.tar', '-C', '/r', '.']);
  });
});
