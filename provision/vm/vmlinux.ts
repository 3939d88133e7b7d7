import { closeSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { CrbenchError } from '../../pipeline/errors.ts';
import { isElf64, readElfNotes } from './elf.ts';

/**
 * The uncompressed kernel inside a bzImage (Debian's vmlinuz), for QEMU's PVH boot: under TCG
 * the bzImage's own decompressor, emulated, cost about 5 s of a 7 s boot.
 *
 * ```
 * vmlinuz ── boot header (HdrS ≥ 2.08)? ── payload_offset/length ── magic there? ─┐
 *        └── else: every known compression magic, in file order ──────────────────┤
 *                                                  decompress with the host's tool ┘── ELF64? size as recorded?
 * ```
 * As the kernel tree's scripts/extract-vmlinux does, but the boot header says where the
 * payload is, so the offset is read, never hard-coded (21196 bytes in 6.1.0-57's vmlinuz), and
 * the search is the fallback. The build appends the uncompressed size to the payload: a check.
 */

export type PayloadFormat = 'xz' | 'gzip' | 'zstd' | 'lz4' | 'bzip2' | 'lzma';

/** Magics by strength: a weak one (lzma's) is tried last among candidates at the same offset. */
export const PAYLOAD_MAGICS: readonly { format: PayloadFormat; magic: Buffer }[] = [
  { format: 'xz', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { format: 'zstd', magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]) },
  { format: 'gzip', magic: Buffer.from([0x1f, 0x8b, 0x08]) },
  { format: 'lz4', magic: Buffer.from([0x02, 0x21, 0x4c, 0x18]) },
  { format: 'bzip2', magic: Buffer.from('BZh') },
  { format: 'lzma', magic: Buffer.from([0x5d, 0x00, 0x00]) },
];

const DECOMPRESSORS: Record<PayloadFormat, string[]> = {
  xz: ['xz', '-dc', '--single-stream'],
  lzma: ['xz', '--format=lzma', '-dc'],
  gzip: ['gzip', '-dc'],
  zstd: ['zstd', '-dcq'],
  lz4: ['lz4', '-dc'],
  bzip2: ['bzip2', '-dc'],
};

export interface KernelPayload {
  format: PayloadFormat;
  offset: number;
  /** Compressed bytes (without the appended size, when the header gave the length). */
  length: number;
  /** The uncompressed size the build appended, when the boot header located the payload. */
  expectedBytes: number | null;
  locatedBy: 'boot-header' | 'magic-search';
}

export interface BootHeader {
  /** e.g. 0x020f for 2.15. */
  protocol: number;
  payloadOffset: number;
  payloadLength: number;
  /** The kernel_version string: release, builder, build number and date. */
  version: string | null;
}

/** The x86 boot protocol header of a bzImage, or null when there is none (or it is older than 2.08). */
export function readBootHeader(image: Buffer): BootHeader | null {
  if (image.length < 0x250 || image.toString('latin1', 0x202, 0x206) !== 'HdrS') return null;
  const protocol = image.readUInt16LE(0x206);
  if (protocol < 0x0208) return null;
  const setupSectors = image[0x1f1] || 4;
  const payloadOffset = (setupSectors + 1) * 512 + image.readUInt32LE(0x248);
  const versionPointer = image.readUInt16LE(0x20e);
  const versionStart = versionPointer === 0 ? -1 : versionPointer + 0x200;
  const versionEnd = versionStart < 0 ? -1 : image.indexOf(0, versionStart);
  return {
    protocol,
    payloadOffset,
    payloadLength: image.readUInt32LE(0x24c),
    version: versionEnd > versionStart ? image.toString('latin1', versionStart, versionEnd) : null,
  };
}

/** The payload as the boot header says, if a known magic starts it. */
function payloadFromHeader(image: Buffer): KernelPayload | null {
  const header = readBootHeader(image);
  if (header === null || header.payloadLength < 8 || header.payloadOffset + header.payloadLength > image.length) return null;
  const found = PAYLOAD_MAGICS.find(({ magic }) => image.subarray(header.payloadOffset, header.payloadOffset + magic.length).equals(magic));
  if (found === undefined) return null;
  const end = header.payloadOffset + header.payloadLength;
  return { format: found.format, offset: header.payloadOffset, length: header.payloadLength - 4, expectedBytes: image.readUInt32LE(end - 4), locatedBy: 'boot-header' };
}

/** Every place a compression magic occurs, in file order (and by strength at one offset), each to the end of the file. */
export function searchPayloadMagics(image: Buffer): KernelPayload[] {
  const found: { payload: KernelPayload; rank: number }[] = [];
  for (const [rank, { format, magic }] of PAYLOAD_MAGICS.entries()) {
    for (let at = image.indexOf(magic); at >= 0; at = image.indexOf(magic, at + 1)) {
      found.push({ payload: { format, offset: at, length: image.length - at, expectedBytes: null, locatedBy: 'magic-search' }, rank });
    }
  }
  return found.sort((a, b) => a.payload.offset - b.payload.offset || a.rank - b.rank).map(({ payload }) => payload);
}

/** The candidates to try, best first: the boot header's payload, then the magic search's hits. */
export function payloadCandidates(image: Buffer): KernelPayload[] {
  const fromHeader = payloadFromHeader(image);
  return [...(fromHeader === null ? [] : [fromHeader]), ...searchPayloadMagics(image).filter((candidate) => candidate.offset !== fromHeader?.offset)];
}

/** XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit entry point that QEMU's PVH boot jumps to. */
export const XEN_ELFNOTE_PHYS32_ENTRY = 18;

/** The PVH entry address of a vmlinux, or null when it has none (then only the bzImage boots). */
export function readPvhEntry(vmlinux: Buffer): number | null {
  const note = readElfNotes(vmlinux).find((candidate) => candidate.name === 'Xen' && candidate.type === XEN_ELFNOTE_PHYS32_ENTRY);
  if (note === undefined || note.desc.length < 4) return null;
  return note.desc.readUInt32LE(0);
}

/** A few candidates in a row that do not decompress mean a false magic; a real kernel has its payload early on. */
const MAX_CANDIDATES = 64;

/**
 * Writes the vmlinux inside `vmlinuzPath` to `outputPath` and says where it was. Each
 * candidate is decompressed by the host's tool from a scratch file; the first output that is
 * an ELF64 file (of the recorded size, where one is recorded) wins.
 */
export async function extractVmlinux(vmlinuzPath: string, outputPath: string, scratchDir: string): Promise<KernelPayload> {
  const image = readFileSync(vmlinuzPath);
  const candidates = payloadCandidates(image).slice(0, MAX_CANDIDATES);
  const compressed = path.join(scratchDir, `${path.basename(vmlinuzPath)}.payload`);
  const tried: string[] = [];
  try {
    for (const candidate of candidates) {
      const [tool, ...args] = DECOMPRESSORS[candidate.format];
      writeFileSync(compressed, image.subarray(candidate.offset, candidate.offset + candidate.length));
      const output = openSync(outputPath, 'w');
      let exitCode: number | null;
      try {
        exitCode = (await $({ stdio: ['ignore', output, 'pipe'], quiet: true, nothrow: true })`${tool} ${args} ${compressed}`).exitCode;
      } catch (error) {
        exitCode = null;
        tried.push(`${candidate.format}@${candidate.offset}: ${(error as Error).message}`);
      } finally {
        closeSync(output);
      }
      const bytes = statSync(outputPath).size;
      const head = readHead(outputPath, 64);
      // Past a magic-search hit's payload come the bzImage's trailing bytes: a decompressor may complain about them.
      const exitOk = exitCode === 0 || (candidate.locatedBy === 'magic-search' && exitCode !== null);
      if (exitOk && isElf64(head) && (candidate.expectedBytes === null || candidate.expectedBytes === bytes)) return candidate;
      tried.push(`${candidate.format}@${candidate.offset}: exit ${exitCode}, ${bytes} bytes${isElf64(head) ? '' : ', not ELF'}`);
    }
  } finally {
    rmSync(compressed, { force: true });
  }
  rmSync(outputPath, { force: true });
  throw new CrbenchError('VM_KERNEL_EXTRACT_FAILED',
    `found no compressed vmlinux in ${vmlinuzPath} (${candidates.length === 0 ? 'no compression magic at all' : tried.slice(0, 5).join('; ')}): is it a bzImage?`);
}

/** The first `bytes` bytes of a file (fewer if it is shorter). */
function readHead(file: string, bytes: number): Buffer {
  const head = Buffer.alloc(bytes);
  const fd = openSync(file, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}
