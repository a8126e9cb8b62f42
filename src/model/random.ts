/**
 * Seeded randomness for training: the per-epoch shuffle and the validation holdout. Every
 * draw depends only on its seed, so a resumed or repeated run sees the same rows in the same
 * order (tfjs's own shuffle uses Math.random, which cannot be seeded).
 */

/** A uniform generator in [0, 1) (mulberry32): tiny, fast and good enough for shuffling. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A permutation of 0..n-1 (Fisher–Yates) that depends only on `seed`. */
export function permutation(n: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/** The shuffle of epoch `epoch` (0-based) for a model seed. */
export function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  return permutation(n, (seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
}
