import { describe, expect, it } from 'vitest';
import { chiSquaredSurvival, gammaQ, kolmogorovQ, ksAsymptoticPValue, ksExactPValue, ksPValue, logGamma } from '../../../src/data/distributions.js';

/** P(D ≥ d) by enumerating every lattice path: the definition, independent of the implementation. */
function bruteForceKs(m: number, n: number): Map<number, number> {
  const counts = new Map<string, number>();
  let total = 0;
  const walk = (i: number, j: number, maxGap: number) => {
    if (i === m && j === n) {
      const key = maxGap.toFixed(12);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      total++;
      return;
    }
    if (i < m) walk(i + 1, j, Math.max(maxGap, Math.abs((i + 1) / m - j / n)));
    if (j < n) walk(i, j + 1, Math.max(maxGap, Math.abs(i / m - (j + 1) / n)));
  };
  walk(0, 0, 0);
  const ds = [...counts.keys()].map(Number).sort((a, b) => a - b);
  return new Map(ds.map((d) => [d, [...counts].filter(([k]) => Number(k) >= d - 1e-9).reduce((s, [, c]) => s + c, 0) / total]));
}

describe('special functions', () => {
  it('logGamma matches factorials', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it('gammaQ(1, x) is exp(-x), and chi-squared with 2 degrees of freedom is exp(-x/2)', () => {
    for (const x of [0.1, 1, 3, 10, 40]) {
      expect(gammaQ(1, x)).toBeCloseTo(Math.exp(-x), 12);
      expect(chiSquaredSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 12);
    }
  });

  it('gives the textbook 5% critical values of chi-squared', () => {
    expect(chiSquaredSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chiSquaredSurvival(7.814727903251178, 3)).toBeCloseTo(0.05, 10);
    expect(chiSquaredSurvival(18.307038053275146, 10)).toBeCloseTo(0.05, 10);
    expect(chiSquaredSurvival(0, 4)).toBe(1);
  });
});

describe('Kolmogorov-Smirnov p-values', () => {
  it('matches scipy.stats.ks_2samp(method="exact") on disjoint samples', () => {
    expect(ksExactPValue(1, 3, 3)).toBeCloseTo(0.1, 12); // [1,2,3] vs [4,5,6]
    expect(ksExactPValue(1, 5, 5)).toBeCloseTo(2 / 252, 12);
    expect(ksExactPValue(0.5, 10, 10)).toBeCloseTo(0.16782134274394336, 10); // 1..10 vs 6..15
  });

  it('agrees with counting every path, for every attainable D (4 vs 5 and 3 vs 6 samples)', () => {
    for (const [m, n] of [[4, 5], [3, 6]] as const) {
      for (const [d, p] of bruteForceKs(m, n)) expect(ksExactPValue(d, m, n)).toBeCloseTo(p, 10);
    }
  });

  it("uses Kolmogorov's limit distribution for large samples", () => {
    expect(kolmogorovQ(1)).toBeCloseTo(0.26999967, 7);
    expect(kolmogorovQ(1.3580986393225505)).toBeCloseTo(0.05, 6);
    const d = 0.02;
    expect(ksPValue(d, 100_000, 100_000)).toBe(ksAsymptoticPValue(d, 100_000, 100_000));
    // Close to the exact value where both apply.
    expect(ksAsymptoticPValue(0.1, 1000, 1000)).toBeCloseTo(ksExactPValue(0.1, 1000, 1000), 2);
  });

  it('is 1 for no difference or an empty sample', () => {
    expect(ksPValue(0, 10, 10)).toBe(1);
    expect(ksPValue(0.5, 0, 10)).toBe(1);
  });
});
