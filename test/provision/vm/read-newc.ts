import { gunzipSync } from 'node:zlib';

/** One entry of a newc archive, as the kernel's unpacker reads it. */
export interface NewcRecord {
  name: string;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  rdevMajor: number;
  rdevMinor: number;
  data: Buffer;
}

/** Parses a newc archive (gzip-compressed or not) up to its trailer; throws on a bad magic. */
export function readNewc(archive: Buffer): NewcRecord[] {
  const bytes = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const records: NewcRecord[] = [];
  let at = 0;
  const align = (n: number) => (n + 3) & ~3;
  for (;;) {
    const magic = bytes.toString('latin1', at, at + 6);
    if (magic !== '070701') throw new Error(`bad newc magic '${magic}' at ${at}`);
    const field = (index: number) => parseInt(bytes.toString('latin1', at + 6 + index * 8, at + 14 + index * 8), 16);
    const nameSize = field(11);
    const size = field(6);
    const name = bytes.toString('utf8', at + 110, at + 110 + nameSize - 1);
    const dataStart = align(at + 110 + nameSize);
    if (name === 'TRAILER!!!') return records;
    records.push({ name, ino: field(0), mode: field(1), uid: field(2), gid: field(3), nlink: field(4), mtime: field(5), rdevMajor: field(9), rdevMinor: field(10), data: bytes.subarray(dataStart, dataStart + size) });
    at = align(dataStart + size);
  }
}
