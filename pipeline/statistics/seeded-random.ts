/**
 * A small seeded PRNG so the bootstrap gives the same interval on every machine and run.
 * Math.random cannot be seeded, and a report that changes on re-render cannot be committed.
 */

/** A function returning uniformly distributed numbers in [0, 1). */
export type RandomSource = () => number;

/**
 * mulberry32 (Tommy Ettinger): 32 bits of state, passes gjrand/PractRand far enough for
 * resampling, and is a few lines of integer arithmetic that behave the same in every engine.
 */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the UTF-16 code units of `text`: a stable 32-bit hash, not a secure one. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A seed for one stream of random numbers, derived from the matrix seed and a key
 * (cell id + phase). Each key gets its own stream, so adding or removing a cell does not
 * shift the numbers, and therefore the intervals, of any other cell.
 */
export function deriveSeed(seed: number, key: string): number {
  // The seed goes in as text so seeds beyond 32 bits still change the result.
  return hashString(`${seed}\u0000${key}`);
}
