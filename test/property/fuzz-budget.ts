/**
 * How many random inputs the property suites try: `base` runs under `npm test` (bounded, so the
 * suite stays fast), `base × MLOPS_FUZZ_SCALE` under `npm run fuzz` (deeper). Each suite reports
 * what it tried on stderr, e.g. `fuzz routes: 400 inputs, 0 crashes, 0 5xx`.
 */
export function fuzzRuns(base: number): number {
  const scale = Number(process.env.MLOPS_FUZZ_SCALE ?? '1');
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** Counts inputs (and failed ones: a crash, a 5xx, a wrong error) per suite and prints the tally once. */
export class Tally {
  tried = 0;
  failed = 0;
  constructor(private readonly suite: string) {}

  /** Runs one check of one input, counting it. */
  async check<T>(fn: () => Promise<T>): Promise<T> {
    this.tried++;
    try {
      return await fn();
    } catch (err) {
      this.failed++;
      throw err;
    }
  }

  report(): void {
    process.stderr.write(`fuzz ${this.suite}: ${this.tried} inputs, ${this.failed} failed\n`);
  }
}

/** Rejects when `promise` takes longer than `ms`: a hang is a failure, not a slow pass. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
