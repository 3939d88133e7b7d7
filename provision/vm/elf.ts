/**
 * Just enough ELF64 (little-endian, x86-64) to read a vmlinux's notes and a module's
 * .modinfo, without binutils: pure functions over a Buffer.
 */

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const PT_NOTE = 4;

export interface ElfNote {
  name: string;
  type: number;
  desc: Buffer;
}

export function isElf64(buffer: Buffer): boolean {
  return buffer.length >= 64 && buffer.subarray(0, 4).equals(ELF_MAGIC) && buffer[4] === ELFCLASS64 && buffer[5] === ELFDATA2LSB;
}

function u64(buffer: Buffer, offset: number): number {
  return Number(buffer.readBigUInt64LE(offset));
}

const align4 = (n: number) => (n + 3) & ~3;

/** The notes of a PT_NOTE segment (or SHT_NOTE section) body. */
export function parseNotes(body: Buffer): ElfNote[] {
  const notes: ElfNote[] = [];
  let at = 0;
  while (at + 12 <= body.length) {
    const nameBytes = body.readUInt32LE(at);
    const descBytes = body.readUInt32LE(at + 4);
    const type = body.readUInt32LE(at + 8);
    const nameStart = at + 12;
    const descStart = nameStart + align4(nameBytes);
    if (descStart + descBytes > body.length) break;
    notes.push({ name: body.subarray(nameStart, nameStart + nameBytes).toString('latin1').replace(/\0+$/, ''), type, desc: body.subarray(descStart, descStart + descBytes) });
    at = descStart + align4(descBytes);
  }
  return notes;
}

/** Every note of every PT_NOTE program header; [] for anything that is not an ELF64 file. */
export function readElfNotes(buffer: Buffer): ElfNote[] {
  if (!isElf64(buffer)) return [];
  const phoff = u64(buffer, 0x20);
  const phentsize = buffer.readUInt16LE(0x36);
  const phnum = buffer.readUInt16LE(0x38);
  const notes: ElfNote[] = [];
  for (let index = 0; index < phnum; index++) {
    const header = phoff + index * phentsize;
    if (header + 0x28 > buffer.length || buffer.readUInt32LE(header) !== PT_NOTE) continue;
    const offset = u64(buffer, header + 0x08);
    const size = u64(buffer, header + 0x20);
    if (offset + size <= buffer.length) notes.push(...parseNotes(buffer.subarray(offset, offset + size)));
  }
  return notes;
}

/** The body of the section called `name`, or null. */
export function readElfSection(buffer: Buffer, name: string): Buffer | null {
  if (!isElf64(buffer)) return null;
  const shoff = u64(buffer, 0x28);
  const shentsize = buffer.readUInt16LE(0x3a);
  const shnum = buffer.readUInt16LE(0x3c);
  const shstrndx = buffer.readUInt16LE(0x3e);
  const sectionAt = (index: number) => shoff + index * shentsize;
  if (shnum === 0 || sectionAt(shnum) > buffer.length || shstrndx >= shnum) return null;
  const strtabOffset = u64(buffer, sectionAt(shstrndx) + 0x18);
  for (let index = 0; index < shnum; index++) {
    const header = sectionAt(index);
    const nameStart = strtabOffset + buffer.readUInt32LE(header);
    const nameEnd = buffer.indexOf(0, nameStart);
    if (buffer.toString('latin1', nameStart, nameEnd) !== name) continue;
    const offset = u64(buffer, header + 0x18);
    const size = u64(buffer, header + 0x20);
    return offset + size <= buffer.length ? buffer.subarray(offset, offset + size) : null;
  }
  return null;
}
