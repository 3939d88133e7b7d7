/**
 * Minimal ELF64 files for the tests: a vmlinux-like file with a PT_NOTE segment, or a
 * module-like file with named sections (.modinfo). Only the fields the readers use are set.
 */

export interface SyntheticNote {
  name: string;
  type: number;
  desc: Buffer;
}

const align4 = (buffer: Buffer) => Buffer.concat([buffer, Buffer.alloc((4 - (buffer.length % 4)) % 4)]);

export function noteBytes(notes: readonly SyntheticNote[]): Buffer {
  return Buffer.concat(notes.map((note) => {
    const head = Buffer.alloc(12);
    const name = Buffer.from(`${note.name}\0`);
    head.writeUInt32LE(name.length, 0);
    head.writeUInt32LE(note.desc.length, 4);
    head.writeUInt32LE(note.type, 8);
    return Buffer.concat([head, align4(name), align4(note.desc)]);
  }));
}

/** An ELF64 little-endian x86-64 file with the notes (one PT_NOTE) and sections given, then `padBytes` of filler. */
export function syntheticElf(options: { notes?: SyntheticNote[]; sections?: { name: string; body: Buffer }[]; padBytes?: number } = {}): Buffer {
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header, 0);
  header.writeUInt16LE(2, 0x10);
  header.writeUInt16LE(0x3e, 0x12);
  header.writeUInt32LE(1, 0x14);
  header.writeUInt16LE(64, 0x34);
  header.writeUInt16LE(56, 0x36);
  header.writeUInt16LE(64, 0x3a);

  const parts: Buffer[] = [header];
  let offset = 64;
  const notes = options.notes === undefined ? null : noteBytes(options.notes);
  if (notes !== null) {
    const programHeader = Buffer.alloc(56);
    programHeader.writeUInt32LE(4, 0);
    programHeader.writeBigUInt64LE(BigInt(64 + 56), 0x08);
    programHeader.writeBigUInt64LE(BigInt(notes.length), 0x20);
    header.writeBigUInt64LE(64n, 0x20);
    header.writeUInt16LE(1, 0x38);
    parts.push(programHeader, notes);
    offset += 56 + notes.length;
  }
  const sections = options.sections ?? [];
  if (sections.length > 0) {
    const names = [...sections.map((section) => section.name), '.shstrtab'];
    const strtab = Buffer.from(`\0${names.join('\0')}\0`);
    const bodies = [...sections.map((section) => section.body), strtab];
    const bodyOffsets: number[] = [];
    for (const body of bodies) {
      bodyOffsets.push(offset);
      parts.push(body);
      offset += body.length;
    }
    const headers = Buffer.alloc(64 * (bodies.length + 1));
    let nameOffset = 1;
    bodies.forEach((body, index) => {
      const at = 64 * (index + 1);
      headers.writeUInt32LE(nameOffset, at);
      headers.writeUInt32LE(index === bodies.length - 1 ? 3 : 1, at + 4);
      headers.writeBigUInt64LE(BigInt(bodyOffsets[index] ?? 0), at + 0x18);
      headers.writeBigUInt64LE(BigInt(body.length), at + 0x20);
      nameOffset += Buffer.byteLength(names[index] ?? '') + 1;
    });
    header.writeBigUInt64LE(BigInt(offset), 0x28);
    header.writeUInt16LE(bodies.length + 1, 0x3c);
    header.writeUInt16LE(bodies.length, 0x3e);
    parts.push(headers);
    offset += headers.length;
  }
  parts.push(Buffer.alloc(options.padBytes ?? 0, 0x90));
  return Buffer.concat(parts);
}

/** A .modinfo body: NUL-separated key=value strings. */
export function modinfo(fields: Record<string, string>): Buffer {
  return Buffer.from(`${Object.entries(fields).map(([key, value]) => `${key}=${value}`).join('\0')}\0`);
}
