import assert from 'node:assert/strict';
import { guestKernelKey, modulesFor, parseAptShow, parseKernelDependency, type GuestModule } from '../../../provision/vm/guest-kernel.ts';

/** `apt-cache depends linux-image-amd64` on the reference host (Debian 12, 2026-12-02). */
const APT_CACHE_DEPENDS = 'linux-image-amd64\n  Depends: linux-image-6.1.0-57-amd64\n';

/** `apt-cache show --no-all-versions linux-image-6.1.0-57-amd64`, cut to the fields that matter. */
const APT_CACHE_SHOW = `Package: linux-image-6.1.0-57-amd64
Source: linux-signed-amd64 (6.1.192+3)
Version: 6.1.192-3
Installed-Size: 410829
Depends: kmod, linux-base (>= 4.3~), initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool
Filename: pool/updates/main/l/linux-signed-amd64/linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb
Size: 70591024
SHA256: 14d219d01e1283261817d961dbb3895cb5b4288d0de10e0ba0632a0d993e15bf

`;

describe('parseKernelDependency()', () => {
  it('names the versioned package the metapackage points to', () => {
    assert.equal(parseKernelDependency(APT_CACHE_DEPENDS), 'linux-image-6.1.0-57-amd64');
  });

  it('returns null when the metapackage depends on no versioned kernel', () => {
    assert.equal(parseKernelDependency('linux-image-amd64\n'), null);
    assert.equal(parseKernelDependency('linux-image-amd64\n  Depends: linux-base\n'), null);
  });
});

describe('parseAptShow()', () => {
  it('reads the version, sha256 and pool path of the candidate', () => {
    assert.deepEqual(parseAptShow(APT_CACHE_SHOW), {
      version: '6.1.192-3',
      sha256: '14d219d01e1283261817d961dbb3895cb5b4288d0de10e0ba0632a0d993e15bf',
      filename: 'pool/updates/main/l/linux-signed-amd64/linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb',
    });
  });

  it('returns null when a field is missing', () => {
    assert.equal(parseAptShow('Package: x\nVersion: 1\n'), null);
  });
});

describe('guestKernelKey()', () => {
  const inputs = { packageName: 'linux-image-6.1.0-57-amd64', version: '6.1.192-3', debSha256: 'a'.repeat(64) };

  it('is stable for the same package and changes with its version, its bytes or the recipe', () => {
    assert.equal(guestKernelKey(inputs), guestKernelKey({ ...inputs }));
    assert.notEqual(guestKernelKey(inputs), guestKernelKey({ ...inputs, version: '6.1.193-1' }));
    assert.notEqual(guestKernelKey(inputs), guestKernelKey({ ...inputs, debSha256: 'b'.repeat(64) }));
    assert.notEqual(guestKernelKey(inputs), guestKernelKey({ ...inputs, recipeVersion: 'guest-kernel-0' }));
  });
});

describe('modulesFor()', () => {
  const module = (name: string, depends: string[]): GuestModule => ({ name, file: `/cache/modules/${name}.ko`, depends });
  const kernel = {
    modules: [module('virtio_ring', []), module('virtio', ['virtio_ring']), module('virtio_mmio', ['virtio', 'virtio_ring']),
      module('virtio_console', ['virtio', 'virtio_ring']), module('virtio_blk', ['virtio', 'virtio_ring']), module('squashfs', []), module('overlay', [])],
  };

  it('gives the channel\'s modules alone for an initramfs root', () => {
    assert.deepEqual(modulesFor(kernel, ['channel']).map((entry) => entry.name), ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_console']);
  });

  it('adds the disk root\'s modules after their dependencies', () => {
    assert.deepEqual(modulesFor(kernel, ['channel', 'disk']).map((entry) => entry.name),
      ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_console', 'virtio_blk', 'squashfs', 'overlay']);
  });

  it('skips a driver the kernel has built in (absent from its module list)', () => {
    const builtInConsole = { modules: kernel.modules.filter((entry) => entry.name !== 'virtio_console') };
    assert.deepEqual(modulesFor(builtInConsole, ['channel']).map((entry) => entry.name), ['virtio_ring', 'virtio', 'virtio_mmio']);
  });
});
