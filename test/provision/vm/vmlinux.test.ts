import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CrbenchError } from '../../../pipeline/errors.ts';
import { extractVmlinux, payloadCandidates, readBootHeader, readPvhEntry, searchPayloadMagics, XEN_ELFNOTE_PHYS32_ENTRY } from '../../../provision/vm/vmlinux.ts';
import { syntheticElf } from './synthetic-elf.ts';

const PVH_ENTRY = 0x1000850;

/** A vmlinux-like ELF with Xen notes as Debian's carries them (type 6 "linux", then the PVH entry). */
function fakeVmlinux(padBytes = 200_000): Buffer {
  const entry = Buffer.alloc(8);
  entry.writeUInt32LE(PVH_ENTRY, 0);
  return syntheticElf({
    notes: [{ name: 'Xen', type: 6, desc: Buffer.from('linux\0') }, { name: 'Xen', type: XEN_ELFNOTE_PHYS32_ENTRY, desc: entry }],
    padBytes,
  });
}

function compress(tool: string[], data: Buffer): Buffer {
  const run = spawnSync(tool[0] as string, tool.slice(1), { input: data, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.status, 0, String(run.stderr));
  return run.stdout;
}

/** A bzImage-like file: a boot header (protocol 2.15) whose payload fields point at `payload`, which ends with the uncompressed size. */
function fakeBzImage(payload: Buffer, uncompressedBytes: number, version = '6.1.0-test (nobody@example) #1'): Buffer {
  const setupSectors = 3;
  const setup = Buffer.alloc((setupSectors + 1) * 512);
  setup[0x1f1] = setupSectors;
  setup.write('HdrS', 0x202, 'latin1');
  setup.writeUInt16LE(0x020f, 0x206);
  setup.write(`${version}\0`, 0x400, 'latin1');
  setup.writeUInt16LE(0x400 - 0x200, 0x20e);
  const prologue = Buffer.alloc(716, 0xcc);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(uncompressedBytes, 0);
  setup.writeUInt32LE(prologue.length, 0x248);
  setup.writeUInt32LE(payload.length + 4, 0x24c);
  return Buffer.concat([setup, prologue, payload, size, Buffer.alloc(4096, 0xee)]);
}

describe('readBootHeader()', () => {
  it('reads the payload offset, length and version string of a protocol 2.08+ header', () => {
    const image = fakeBzImage(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2]), 1000);
    const header = readBootHeader(image);
    assert.deepEqual(header, { protocol: 0x020f, payloadOffset: 4 * 512 + 716, payloadLength: 12, version: '6.1.0-test (nobody@example) #1' });
  });

  it('returns null for a file without the HdrS signature', () => {
    assert.equal(readBootHeader(Buffer.alloc(4096)), null);
  });
});

describe('payloadCandidates()', () => {
  it('puts the payload the boot header points at first, with the appended size to check against', () => {
    const xz = compress(['xz', '-c'], fakeVmlinux());
    const [first] = payloadCandidates(fakeBzImage(xz, 1234));
    assert.deepEqual(first, { format: 'xz', offset: 4 * 512 + 716, length: xz.length, expectedBytes: 1234, locatedBy: 'boot-header' });
  });

  it('finds a payload by its magic when there is no boot header, not at a fixed offset', () => {
    const xz = compress(['xz', '-c'], fakeVmlinux());
    const junk = Buffer.alloc(12_345, 0x41);
    const found = searchPayloadMagics(Buffer.concat([junk, xz]));
    assert.deepEqual(found[0], { format: 'xz', offset: 12_345, length: xz.length, expectedBytes: null, locatedBy: 'magic-search' });
  });

  it('orders several magics by offset', () => {
    const image = Buffer.concat([Buffer.alloc(10), Buffer.from([0x1f, 0x8b, 0x08]), Buffer.alloc(10), Buffer.from([0x28, 0xb5, 0x2f, 0xfd])]);
    assert.deepEqual(searchPayloadMagics(image).map((candidate) => [candidate.format, candidate.offset]), [['gzip', 10], ['zstd', 23]]);
  });
});

describe('readPvhEntry()', () => {
  it('reads XEN_ELFNOTE_PHYS32_ENTRY among the Xen notes', () => {
    assert.equal(readPvhEntry(fakeVmlinux(0)), PVH_ENTRY);
  });

  it('returns null for an ELF without the note, and for what is not ELF', () => {
    assert.equal(readPvhEntry(syntheticElf({ notes: [{ name: 'GNU', type: 3, desc: Buffer.alloc(20) }] })), null);
    assert.equal(readPvhEntry(Buffer.from('not an elf file at all, not at all, no, not one bit of it, really')), null);
  });
});

describe('extractVmlinux()', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync('/var/tmp/crbench-vmlinux-'); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('decompresses the boot header\'s xz payload and checks its size', async () => {
    const vmlinux = fakeVmlinux();
    writeFileSync(path.join(dir, 'vmlinuz'), fakeBzImage(compress(['xz', '-c', '--check=crc32'], vmlinux), vmlinux.length));
    const payload = await extractVmlinux(path.join(dir, 'vmlinuz'), path.join(dir, 'vmlinux'), dir);
    assert.equal(payload.locatedBy, 'boot-header');
    assert.ok(readFileSync(path.join(dir, 'vmlinux')).equals(vmlinux));
    assert.equal(readPvhEntry(readFileSync(path.join(dir, 'vmlinux'))), PVH_ENTRY);
  });

  it('skips a false magic and finds a gzip payload after it, with no boot header', async () => {
    const vmlinux = fakeVmlinux();
    // An xz magic followed by garbage, as a stray byte pattern in a kernel's setup code would be.
    const decoy = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(64, 0x33)]);
    writeFileSync(path.join(dir, 'vmlinuz'), Buffer.concat([Buffer.alloc(3000, 0x11), decoy, Buffer.alloc(77, 0x22), compress(['gzip', '-c'], vmlinux), Buffer.alloc(512, 0x55)]));
    const payload = await extractVmlinux(path.join(dir, 'vmlinuz'), path.join(dir, 'vmlinux'), dir);
    assert.deepEqual([payload.format, payload.offset, payload.locatedBy], ['gzip', 3000 + decoy.length + 77, 'magic-search']);
    assert.ok(readFileSync(path.join(dir, 'vmlinux')).equals(vmlinux));
  });

  it('fails with VM_KERNEL_EXTRACT_FAILED when nothing decompresses to an ELF file', async () => {
    writeFileSync(path.join(dir, 'vmlinuz'), Buffer.concat([Buffer.alloc(100), compress(['xz', '-c'], Buffer.from('plain text, not a kernel'))]));
    await assert.rejects(extractVmlinux(path.join(dir, 'vmlinuz'), path.join(dir, 'vmlinux'), dir),
      (error: unknown) => error instanceof CrbenchError && error.code === 'VM_KERNEL_EXTRACT_FAILED');
  });
});
