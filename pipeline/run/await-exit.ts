import { readFileSync } from 'node:fs';

/** A process counts as gone once it has exited, even if nobody has reaped it yet (state Z). */
function hasExited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

const SPIN_MS = 50;

/**
 * Waits until `pid` has exited. The container's init is not our child, so there is no
 * exit event to wait for; /proc is polled instead, in a tight loop for the first 50 ms
 * (a killed container dies within a few ms, and a 1 ms timer would dominate the
 * measurement), then once a millisecond until the deadline. With containers running side
 * by side, `spin: false` polls on the timer only, so the others are not held up.
 */
export async function awaitExit(pid: number, deadlineMs: number, options: { spin?: boolean } = {}): Promise<boolean> {
  const start = performance.now();
  // The spin holds the event loop: only when nothing else is being timed alongside.
  while (options.spin !== false && performance.now() - start < Math.min(SPIN_MS, deadlineMs)) {
    if (hasExited(pid)) return true;
  }
  while (performance.now() - start < deadlineMs) {
    if (hasExited(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return hasExited(pid);
}
