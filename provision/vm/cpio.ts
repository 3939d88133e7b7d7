import { createWriteStream, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/**
 * A writer of the kernel's initramfs format (cpio "newc", as in the kernel's
 * Documentation/driver-api/early-userspace/buffer-format.rst), written here rather than by
 * GNU cpio so that the bytes depend on the entries alone: names sorted bytewise, inode numbers
 * counted from 1 in that order, device 0, the mtimes given, and entries no directory on the
 * host can hold (/dev/console, without mknod).
 */

export type CpioEntry =
  | { kind: 'dir'; name: string; mode: number; uid: number; gid: number; mtime: number }
  | { kind: 'file'; name: string; mode: number; uid: number; gid: number; mtime: number; data: Buffer | { path: string; bytes: number }; linkGroup?: string }
  | { kind: 'symlink'; name: string; target: string; uid: number; gid: number; mtime: number }
  | { kind: 'char' | 'block'; name: string; mode: number; uid: number; gid: number; mtime: number; major: number; minor: number };

const S_IFMT = { dir: 0o040000, file: 0o100000, symlink: 0o120000, char: 0o020000, block: 0o060000 } as const;
const TRAILER = 'TRAILER!!!';

const hex8 = (value: number) => (value >>> 0).toString(16).padStart(8, '0');
const pad4 = (length: number) => Buffer.alloc((4 - (length % 4)) % 4);

function header(fields: { ino: number; mode: number; uid: number; gid: number; nlink: number; mtime: number; size: number; rdevMajor: number; rdevMinor: number; name: string }): Buffer {
  const name = Buffer.from(`${fields.name}\0`);
  const text = ['070701', hex8(fields.ino), hex8(fields.mode), hex8(fields.uid), hex8(fields.gid), hex8(fields.nlink), hex8(fields.mtime),
    hex8(fields.size), hex8(0), hex8(0), hex8(fields.rdevMajor), hex8(fields.rdevMinor), hex8(name.length), hex8(0)].join('');
  const bytes = Buffer.concat([Buffer.from(text, 'latin1'), name]);
  return Buffer.concat([bytes, pad4(bytes.length)]);
}

/** Bytewise order of UTF-8 names: a parent ("a") always sorts before what is in it ("a/b"). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The archive's bytes, chunk by chunk. Files of one `linkGroup` become hard links: one inode,
 * the data with the first name (the kernel links the later names to it).
 */
export function* newcChunks(unsorted: readonly CpioEntry[]): Generator<Buffer> {
  const entries = [...unsorted].sort((a, b) => compareNames(a.name, b.name));
  const groupSizes = new Map<string, number>();
  for (const entry of entries) if (entry.kind === 'file' && entry.linkGroup !== undefined) groupSizes.set(entry.linkGroup, (groupSizes.get(entry.linkGroup) ?? 0) + 1);
  const groupInodes = new Map<string, number>();
  let nextIno = 1;
  for (const entry of entries) {
    if (entry.name === '' || entry.name.startsWith('/') || entry.name.split('/').includes('..')) throw new Error(`cpio: entry name '${entry.name}' must be relative, without '..'`);
    const base = { uid: entry.uid, gid: entry.gid, mtime: entry.mtime, name: entry.name, rdevMajor: 0, rdevMinor: 0 };
    if (entry.kind === 'file') {
      const group = entry.linkGroup;
      const known = group === undefined ? undefined : groupInodes.get(group);
      const ino = known ?? nextIno++;
      if (group !== undefined && known === undefined) groupInodes.set(group, ino);
      const withData = known === undefined;
      const data = !withData ? Buffer.alloc(0) : Buffer.isBuffer(entry.data) ? entry.data : readFileSync(entry.data.path);
      if (!Buffer.isBuffer(entry.data) && withData && data.length !== entry.data.bytes) throw new Error(`cpio: ${entry.data.path} changed while archiving`);
      yield header({ ...base, ino, mode: S_IFMT.file | (entry.mode & 0o7777), nlink: group === undefined ? 1 : (groupSizes.get(group) ?? 1), size: data.length });
      yield data;
      yield pad4(data.length);
    } else if (entry.kind === 'symlink') {
      const target = Buffer.from(entry.target);
      yield header({ ...base, ino: nextIno++, mode: S_IFMT.symlink | 0o777, nlink: 1, size: target.length });
      yield target;
      yield pad4(target.length);
    } else if (entry.kind === 'dir') {
      yield header({ ...base, ino: nextIno++, mode: S_IFMT.dir | (entry.mode & 0o7777), nlink: 2, size: 0 });
    } else {
      yield header({ ...base, ino: nextIno++, mode: S_IFMT[entry.kind] | (entry.mode & 0o7777), nlink: 1, size: 0, rdevMajor: entry.major, rdevMinor: entry.minor });
    }
  }
  yield header({ ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, size: 0, rdevMajor: 0, rdevMinor: 0, name: TRAILER });
}

/** Writes the archive to `outputPath`, gzip-compressed (level 6, zlib's fixed header: no name, no time) or not. */
export async function writeNewcArchive(entries: readonly CpioEntry[], outputPath: string, compression: 'none' | 'gzip'): Promise<void> {
  const source = Readable.from(newcChunks(entries), { objectMode: false });
  const output = createWriteStream(outputPath);
  if (compression === 'gzip') await pipeline(source, createGzip({ level: 6 }), output);
  else await pipeline(source, output);
}

/**
 * The entries of a directory tree as it is on disk (owners, modes, mtimes in whole seconds,
 * hard links by inode), names relative to `root`; `root` itself is not an entry.
 */
export function entriesOfTree(root: string): CpioEntry[] {
  const entries: CpioEntry[] = [];
  const walk = (relative: string): void => {
    const names = readdirSync(path.join(root, relative)).sort(compareNames);
    for (const name of names) {
      const childRelative = relative === '' ? name : `${relative}/${name}`;
      const full = path.join(root, childRelative);
      const stat = lstatSync(full);
      const base = { name: childRelative, uid: stat.uid, gid: stat.gid, mtime: Math.floor(stat.mtimeMs / 1000) };
      if (stat.isDirectory()) {
        entries.push({ ...base, kind: 'dir', mode: stat.mode });
        walk(childRelative);
      } else if (stat.isFile()) {
        entries.push({ ...base, kind: 'file', mode: stat.mode, data: { path: full, bytes: stat.size }, ...(stat.nlink > 1 ? { linkGroup: `${stat.dev}:${stat.ino}` } : {}) });
      } else if (stat.isSymbolicLink()) {
        entries.push({ ...base, kind: 'symlink', target: readlinkSync(full) });
      } else if (stat.isCharacterDevice() || stat.isBlockDevice()) {
        // Linux's dev_t: major in bits 8–19, minor in bits 0–7 and 20–31.
        entries.push({ ...base, kind: stat.isCharacterDevice() ? 'char' : 'block', mode: stat.mode, major: (stat.rdev >> 8) & 0xfff, minor: (stat.rdev & 0xff) | ((stat.rdev >> 12) & 0xfff00) });
      }
      // Sockets and FIFOs have no place in an image; none of the recipes makes one.
    }
  };
  walk('');
  return entries;
}
