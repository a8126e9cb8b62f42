/**
 * Shared benchmark plumbing. A benchmark measures a subject and a baseline in the same run and
 * reports their ratio, so results compare across machines; nothing here gates CI.
 */

/** One measured comparison. */
export interface BenchResult {
  /** Benchmark group, e.g. `serving`. */
  readonly suite: string;
  /** What was measured, e.g. `batch-1 predict throughput`. */
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  /** The baseline measured in the same run, when the target is a ratio. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** value / baseline.value (or as the suite defines it; see `note`). */
  readonly ratio?: number;
  /** The target, e.g. `ratio ≥ 0.8` or `< 1 s`. */
  readonly target?: string;
  readonly pass?: boolean;
  readonly note?: string;
}

/** A suite is a module under bench/ whose default export runs and returns results. */
export type BenchSuite = () => Promise<BenchResult[]>;

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Runs `fn` `times` times and returns the median wall time in milliseconds. */
export async function timeMedianMs(times: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}
