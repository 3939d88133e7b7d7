import type { CommandRecord } from '../../types.ts';

/** Shows a line of output in a message: quoted, cut short, control characters escaped. */
function show(line: string | undefined): string {
  if (line === undefined) return 'nothing';
  const shown = JSON.stringify(line);
  return shown.length > 80 ? `${shown.slice(0, 77)}…"` : shown;
}

/**
 * The usual check of a workload: exit 0 and exactly the expected standard output. Returns
 * why not (the exit code, or the first line that differs), or null.
 */
export function expectOutput(record: CommandRecord, expected: string): string | null {
  if (record.exitCode !== 0) return `expected exit 0, got ${record.signal !== null ? `signal ${record.signal}` : `exit ${record.exitCode}`}`;
  if (record.stdout === expected) return null;
  const got = record.stdout.split('\n');
  const want = expected.split('\n');
  const line = want.findIndex((wanted, index) => got[index] !== wanted);
  const at = line === -1 ? want.length : line;
  return `unexpected output at line ${at + 1}: expected ${show(want[at])}, got ${show(got[at])}`;
}
