import { open, type FileHandle } from 'node:fs/promises';
import { CrbenchError } from '../errors.ts';
import { messages } from './messages.ts';

/** A matrix is a page of YAML; anything bigger is a mistake (a wrong path, a log file). */
export const MAX_MATRIX_BYTES = 1024 * 1024;

export type ReadMatrixFileResult = { tooLarge: false; bytes: Buffer } | { tooLarge: true; sizeBytes: number };

/**
 * The bytes of a matrix file, or its size when it is too large to parse. Size is checked
 * before reading so a huge file (or a device) is never loaded into memory.
 * @throws CrbenchError `MATRIX_UNREADABLE` (exit code 2) when the file cannot be read.
 */
export async function readMatrixFile(path: string): Promise<ReadMatrixFileResult> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: stats.isDirectory() ? 'EISDIR' : 'ENOTREG' });
    if (stats.size > MAX_MATRIX_BYTES) return { tooLarge: true, sizeBytes: stats.size };
    const bytes = await handle.readFile();
    // The file may have grown between stat and read.
    if (bytes.length > MAX_MATRIX_BYTES) return { tooLarge: true, sizeBytes: bytes.length };
    return { tooLarge: false, bytes };
  } catch (error) {
    throw new CrbenchError('MATRIX_UNREADABLE', messages.cannotRead(path, describeReadError(error)), {
      exitCode: 2,
      cause: error,
    });
  } finally {
    await handle?.close();
  }
}

const READ_ERROR_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
  ENOTREG: 'not a regular file',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
};

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in READ_ERROR_REASONS) return READ_ERROR_REASONS[code] as string;
  return error instanceof Error ? error.message : String(error);
}
