import { closeSync, openSync, readSync } from 'node:fs';

/**
 * What an image holds, read from its tarball's headers: what a storage driver has to copy
 * (bytes) and to walk (entries). A deep copy grows with both; a snapshot with neither.
 */
export interface TarballContents {
  /** Regular files (hard links not counted twice). */
  regularFiles: number;
  /** Every entry: files, directories, symlinks, hard links, devices. */
  entries: number;
  /** The regular files' sizes added up, in bytes: the apparent size of the root filesystem. */
  contentBytes: number;
}

const BLOCK = 512;

/** A tar header's numeric field: octal digits (NUL or space ended), or GNU's base-256 for big values. */
export function parseTarNumber(field: Buffer): number {
  const first = field[0] ?? 0;
  if ((first & 0x80) !== 0) {
    let value = first & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = field.toString('latin1').replace(/[\0 ]+$/g, '').replace(/^[\0 ]+/, '');
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/**
 * Reads every header of the (uncompressed) tarball `file`, skipping the data, and counts what
 * the archive holds. GNU long-name records (`L`, `K`) and pax headers (`x`, `g`) describe the
 * next entry and are no entries themselves. Ends at the first zero block.
 */
export function readTarballContents(file: string): TarballContents {
  const contents: TarballContents = { regularFiles: 0, entries: 0, contentBytes: 0 };
  const header = Buffer.alloc(BLOCK);
  const fd = openSync(file, 'r');
  try {
    for (let position = 0; ;) {
      if (readSync(fd, header, 0, BLOCK, position) < BLOCK || header.every((byte) => byte === 0)) break;
      const size = parseTarNumber(header.subarray(124, 136));
      const type = String.fromCharCode(header[156] ?? 0);
      if (!['L', 'K', 'x', 'g'].includes(type)) {
        contents.entries += 1;
        if (type === '0' || type === '\0' || type === '7') {
          contents.regularFiles += 1;
          contents.contentBytes += size;
        }
      }
      // A hard link or directory carries no data, whatever its size field says.
      const dataBytes = ['1', '2', '3', '4', '5', '6'].includes(type) ? 0 : size;
      position += BLOCK + Math.ceil(dataBytes / BLOCK) * BLOCK;
    }
  } finally {
    closeSync(fd);
  }
  return contents;
}
