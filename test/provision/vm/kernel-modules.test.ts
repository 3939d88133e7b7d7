import assert from 'node:assert/strict';
import { CrbenchError } from '../../../pipeline/errors.ts';
import { moduleFacts, orderModules, parseModuleList, readModinfo } from '../../../provision/vm/kernel-modules.ts';
import { modinfo, syntheticElf } from './synthetic-elf.ts';

/** The dependencies Debian 6.1.0-57's modules declare (`strings -a x.ko | grep depends=`). */
const DEBIAN_DEPENDS: Record<string, string[]> = {
  virtio_ring: [],
  virtio: ['virtio_ring'],
  virtio_mmio: ['virtio', 'virtio_ring'],
  virtio_console: ['virtio', 'virtio_ring'],
  virtio_pci: ['virtio_ring', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio'],
  virtio_pci_modern_dev: [],
  virtio_pci_legacy_dev: [],
  virtio_blk: ['virtio', 'virtio_ring'],
  squashfs: [],
  overlay: [],
};

describe('readModinfo() and moduleFacts()', () => {
  it('reads depends=, name= and vermagic= from the .modinfo section', () => {
    const ko = syntheticElf({
      sections: [
        { name: '.text', body: Buffer.alloc(64, 0xc3) },
        { name: '.modinfo', body: modinfo({ alias: 'virtio:d00000003v*', depends: 'virtio,virtio_ring', name: 'virtio_console', vermagic: '6.1.0-57-amd64 SMP preempt mod_unload modversions ' }) },
      ],
    });
    assert.deepEqual(readModinfo(ko).get('depends'), ['virtio,virtio_ring']);
    assert.deepEqual(moduleFacts(ko, 'virtio_console.ko'), { name: 'virtio_console', depends: ['virtio', 'virtio_ring'], vermagic: '6.1.0-57-amd64 SMP preempt mod_unload modversions ' });
  });

  it('takes the name from the file when .modinfo has none, with - read as _', () => {
    const ko = syntheticElf({ sections: [{ name: '.modinfo', body: modinfo({ depends: '' }) }] });
    assert.deepEqual(moduleFacts(ko, 'virtio-foo.ko'), { name: 'virtio_foo', depends: [], vermagic: null });
  });

  it('refuses a file with no .modinfo section', () => {
    assert.throws(() => readModinfo(syntheticElf({ sections: [{ name: '.text', body: Buffer.alloc(8) }] })),
      (error: unknown) => error instanceof CrbenchError && error.code === 'VM_BAD_MODULE');
  });
});

describe('parseModuleList()', () => {
  it('maps each module name to its path in modules.order or modules.builtin', () => {
    const list = parseModuleList('kernel/drivers/virtio/virtio.ko\nkernel/fs/overlayfs/overlay.ko\n\nkernel/drivers/char/hw_random/virtio-rng.ko\n');
    assert.deepEqual([...list.entries()], [
      ['virtio', 'kernel/drivers/virtio/virtio.ko'],
      ['overlay', 'kernel/fs/overlayfs/overlay.ko'],
      ['virtio_rng', 'kernel/drivers/char/hw_random/virtio-rng.ko'],
    ]);
  });
});

describe('orderModules()', () => {
  const dependsOf = (name: string) => DEBIAN_DEPENDS[name] ?? [];

  it('loads the console channel\'s modules dependencies first, as HOST-NOTES lists them', () => {
    assert.deepEqual(orderModules(['virtio_mmio', 'virtio_console'], dependsOf), ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_console']);
    assert.deepEqual(orderModules(['virtio_pci', 'virtio_console'], dependsOf),
      ['virtio_ring', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio', 'virtio_pci', 'virtio_console']);
  });

  it('lists each module once, in the order asked where dependencies allow', () => {
    assert.deepEqual(orderModules(['squashfs', 'virtio_blk', 'virtio_mmio', 'overlay'], dependsOf), ['squashfs', 'virtio_ring', 'virtio', 'virtio_blk', 'virtio_mmio', 'overlay']);
  });

  it('leaves built-in modules out', () => {
    assert.deepEqual(orderModules(['virtio_console'], dependsOf, new Set(['virtio', 'virtio_ring'])), ['virtio_console']);
  });

  it('reports a cycle with its chain', () => {
    assert.throws(() => orderModules(['a'], (name) => ({ a: ['b'], b: ['a'] })[name] ?? []),
      (error: unknown) => error instanceof CrbenchError && error.code === 'VM_MODULE_CYCLE' && error.message.includes('a → b → a'));
  });
});
