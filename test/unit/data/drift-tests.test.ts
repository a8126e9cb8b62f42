import { describe, expect, it } from 'vitest';
import {
  chiSquaredTest,
  defaultTest,
  isDrifted,
  jensenShannonDistance,
  normalizedWasserstein,
  populationStabilityIndex,
} from '../../../src/data/drift-tests.js';

describe('choosing a test as Evidently does', () => {
  it('KS / chi-squared up to 1000 reference rows, Wasserstein / Jensen-Shannon above', () => {
    expect(defaultTest('numeric', 1000, 50)).toBe('ks');
    expect(defaultTest('categorical', 1000, 50)).toBe('chisquare');
    expect(defaultTest('numeric', 1001, 50)).toBe('wasserstein');
    expect(defaultTest('categorical', 1001, 3)).toBe('jensenshannon');
  });

  it('treats numbers with at most 5 distinct values as categories', () => {
    expect(defaultTest('numeric', 500, 5)).toBe('chisquare');
    expect(defaultTest('numeric', 5000, 5)).toBe('jensenshannon');
    expect(defaultTest('numeric', 5000, 6)).toBe('wasserstein');
  });

  it('drift is a p-value below its threshold, or a distance at or above it', () => {
    expect(isDrifted('ks', 0.049, 0.05)).toBe(true);
    expect(isDrifted('chisquare', 0.05, 0.05)).toBe(false);
    expect(isDrifted('wasserstein', 0.1, 0.1)).toBe(true);
    expect(isDrifted('psi', 0.099, 0.1)).toBe(false);
  });
});

describe('chi-squared test of homogeneity', () => {
  it('2 × 2: 30/70 vs 50/50 gives χ² = 25/3 with 1 degree of freedom', () => {
    const r = chiSquaredTest([30, 70], [50, 50]);
    expect(r.statistic).toBeCloseTo(25 / 3, 10);
    expect(r.dof).toBe(1);
    expect(r.pValue).toBeCloseTo(0.003892417122778627, 10); // erfc(√(25/6))
  });

  it('2 × 3: 10/20/30 vs 30/20/10 gives χ² = 20, p = e^-10', () => {
    const r = chiSquaredTest([10, 20, 30], [30, 20, 10]);
    expect(r.statistic).toBeCloseTo(20, 10);
    expect(r.dof).toBe(2);
    expect(r.pValue).toBeCloseTo(Math.exp(-10), 14);
  });

  it('handles a category seen on one side only, and drops categories empty on both', () => {
    // Expected counts: reference 80/9, 80/9, 20/9; current 100/9, 100/9, 25/9 → χ² = 4.5.
    const r = chiSquaredTest([10, 10, 0, 0], [10, 10, 5, 0]);
    expect(r.dof).toBe(2);
    expect(r.statistic).toBeCloseTo(4.5, 10);
    expect(r.pValue).toBeCloseTo(Math.exp(-2.25), 12);
    expect(chiSquaredTest([5], [9])).toEqual({ statistic: 0, dof: 0, pValue: 1 });
  });
});

describe('distances', () => {
  it('Jensen-Shannon: 0 for equal distributions, √ln 2 for disjoint ones, and a hand-computed case', () => {
    expect(jensenShannonDistance([1, 1], [2, 2])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.LN2), 12);
    // p = [.75, .25], q = [.25, .75], m = [.5, .5]: KL = .75 ln 1.5 + .25 ln .5 for each side.
    expect(jensenShannonDistance([3, 1], [1, 3])).toBeCloseTo(Math.sqrt(0.75 * Math.log(1.5) + 0.25 * Math.log(0.5)), 12);
  });

  it('PSI: Σ (q − p) ln(q / p), with empty bins at 0.0001', () => {
    expect(populationStabilityIndex([1, 1], [1, 3])).toBeCloseTo(-0.25 * Math.log(0.5) + 0.25 * Math.log(1.5), 12);
    expect(populationStabilityIndex([1, 0], [1, 1])).toBeCloseTo(-0.5 * Math.log(0.5) + (0.5 - 0.0001) * Math.log(0.5 / 0.0001), 10);
    expect(populationStabilityIndex([4, 6], [2, 3])).toBeCloseTo(0, 12);
  });

  it('Wasserstein is scaled by the reference standard deviation, floored at 0.001', () => {
    expect(normalizedWasserstein(1, Math.sqrt(1.25))).toBeCloseTo(0.894427191, 8);
    expect(normalizedWasserstein(0.5, 0)).toBe(500);
  });
});
