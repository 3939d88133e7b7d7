import { readdirSync, readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * crbench's side of INGInious's `run_student`, over two files of the submission's sockets
 * folder (the protocol is in workloads/inginious-task/$common/run_student.py, the grader's side):
 *
 *   grader   /sockets/student-N.request   {"argv": [...]}              (written, then renamed)
 *   crbench  /sockets/student-N.answer    {"retval", "stdout", "stderr"} (likewise)
 *
 * Files rather than a unix socket served by crbench: a host socket cannot be connected to from
 * inside gVisor's sandbox without extra runsc flags, and a file reaches every runtime the same way.
 * The host sees a request at once through inotify (fs.watch), with a poll as a fallback.
 */

/** What the grader asked for: a command for a student container, or why its request is unreadable. */
export type StudentRequest = { index: number; argv: string[] } | { index: number; error: string };

/** What the grader gets back; INGInious answers 254 when it could not run the student container. */
export interface StudentAnswer {
  retval: number;
  stdout: string;
  stderr: string;
}

/** INGInious's retval for "the student container could not be created or started". */
export const STUDENT_FAILED_RETVAL = 254;

const REQUEST_NAME = /^student-(\d+)\.request$/;
/** A missed inotify event costs at most this long. */
const FALLBACK_POLL_MS = 20;

export const requestFile = (socketsDir: string, index: number): string => path.join(socketsDir, `student-${index}.request`);
export const answerFile = (socketsDir: string, index: number): string => path.join(socketsDir, `student-${index}.answer`);

/** Parses a request file's text: a non-empty list of strings under `argv`. */
export function parseStudentRequest(index: number, text: string): StudentRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { index, error: `student-${index}.request is not JSON: ${(error as Error).message}` };
  }
  const argv = (parsed as { argv?: unknown } | null)?.argv;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((arg) => typeof arg === 'string')) {
    return { index, error: `student-${index}.request has no argv (a non-empty list of strings): ${text.slice(0, 200)}` };
  }
  return { index, argv: argv as string[] };
}

/** Writes the answer where the grader polls for it: a temporary file renamed into place, so it is never seen half-written. */
export function writeStudentAnswer(socketsDir: string, index: number, answer: StudentAnswer): void {
  const target = answerFile(socketsDir, index);
  writeFileSync(`${target}.tmp`, JSON.stringify(answer));
  renameSync(`${target}.tmp`, target);
}

export interface RequestWatcher {
  /** The next request not yet handed out, in index order; undefined once closed. */
  next(): Promise<StudentRequest | undefined>;
  /** Stops watching; a pending next() resolves undefined. */
  close(): void;
}

/** Watches a sockets folder for the grader's requests (the ones already there count too). */
export function watchStudentRequests(socketsDir: string): RequestWatcher {
  const handedOut = new Set<number>();
  let wake: (() => void) | undefined;
  let closed = false;
  const nudge = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(socketsDir, nudge);
    watcher.on('error', () => undefined);
  } catch {
    // No inotify here: the poll alone finds the requests.
  }
  const poll = setInterval(nudge, FALLBACK_POLL_MS);
  const scan = (): StudentRequest | undefined => {
    let names: string[] = [];
    try {
      names = readdirSync(socketsDir);
    } catch {
      return undefined;
    }
    const index = names.flatMap((name) => {
      const match = REQUEST_NAME.exec(name);
      return match ? [Number(match[1])] : [];
    }).filter((candidate) => !handedOut.has(candidate)).sort((a, b) => a - b)[0];
    if (index === undefined) return undefined;
    handedOut.add(index);
    return parseStudentRequest(index, readFileSync(requestFile(socketsDir, index), 'utf8'));
  };
  return {
    async next() {
      for (;;) {
        if (closed) return undefined;
        const found = scan();
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    close() {
      closed = true;
      watcher?.close();
      clearInterval(poll);
      nudge();
    },
  };
}
