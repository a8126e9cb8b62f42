/**
 * Deterministic jitter: a share in [0, 1) picked from a text (a workflow ID), the same on every
 * replay and on every worker, so monitors started together spread out without randomness.
 */

/** FNV-1a (32 bit) of `text` with MurmurHash3's finalizer (IDs that differ in a last digit land far apart), as a share of 2^32. */
export function shareOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 2 ** 32;
}

/** A delay in [0, windowMs) picked from `key`: spreads a fleet's first checks over the window. */
export function jitterMs(key: string, windowMs: number): number {
  return Math.floor(shareOf(key) * windowMs);
}
