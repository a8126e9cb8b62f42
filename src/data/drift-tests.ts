/**
 * The per-feature drift tests and how one is chosen, after Evidently's defaults:
 *
 * | reference rows | numeric (> 5 distinct values) | categorical (or ≤ 5 distinct values) |
 * |---|---|---|
 * | ≤ 1000 | Kolmogorov-Smirnov, p < 0.05 | chi-squared, p < 0.05 |
 * | > 1000 | Wasserstein distance / std of the reference, ≥ 0.1 | Jensen-Shannon distance, ≥ 0.1 |
 *
 * PSI (≥ 0.1) is available on request. The functions here work on counts; the statistics that
 * need every value (the KS statistic and the Wasserstein distance) are computed in DuckDB
 * (src/data/drift.ts) and only their results arrive here.
 */
import { chiSquaredSurvival } from './distributions.js';

/** A drift test. */
export type DriftTest = 'ks' | 'chisquare' | 'wasserstein' | 'jensenshannon' | 'psi';

/** Up to this many reference rows, the p-value tests (KS, chi-squared) are used. */
export const smallSampleRows = 1000;
/** Numeric features with at most this many distinct values are tested as categorical. */
export const fewDistinctValues = 5;

/** Evidently's default test for a feature of `kind` with `referenceRows` rows and `distinct` distinct values (both sides). */
export function defaultTest(kind: 'numeric' | 'categorical', referenceRows: number, distinct: number): DriftTest {
  const numeric = kind === 'numeric' && distinct > fewDistinctValues;
  if (referenceRows <= smallSampleRows) return numeric ? 'ks' : 'chisquare';
  return numeric ? 'wasserstein' : 'jensenshannon';
}

/** True for tests whose score is a p-value (drift when below the threshold). */
export function isPValueTest(test: DriftTest): boolean {
  return test === 'ks' || test === 'chisquare';
}

/** Whether `score` of `test` means drift: p-value below the threshold, or distance at or above it. */
export function isDrifted(test: DriftTest, score: number, threshold: number): boolean {
  return isPValueTest(test) ? score < threshold : score >= threshold;
}

/** Result of {@link chiSquaredTest}. */
export interface ChiSquaredResult {
  readonly statistic: number;
  readonly dof: number;
  readonly pValue: number;
}

/**
 * Pearson's chi-squared test of homogeneity on a 2 × k table (reference counts, current counts
 * per category): are both samples drawn from one distribution? Categories empty on both sides
 * are dropped. For two categories it equals the two-proportion Z-test Evidently uses for
 * binary features. Unlike a goodness-of-fit test against the reference, a category seen only
 * in the current data gives a finite statistic.
 */
export function chiSquaredTest(reference: readonly number[], current: readonly number[]): ChiSquaredResult {
  const cells = reference.map((r, i) => [r, current[i] ?? 0] as const).filter(([r, c]) => r + c > 0);
  const totalRef = cells.reduce((s, [r]) => s + r, 0);
  const totalCur = cells.reduce((s, [, c]) => s + c, 0);
  const total = totalRef + totalCur;
  const dof = cells.length - 1;
  if (dof < 1 || totalRef === 0 || totalCur === 0) return { statistic: 0, dof: Math.max(dof, 0), pValue: 1 };
  let statistic = 0;
  for (const [r, c] of cells) {
    const expectedRef = ((r + c) * totalRef) / total;
    const expectedCur = ((r + c) * totalCur) / total;
    statistic += (r - expectedRef) ** 2 / expectedRef + (c - expectedCur) ** 2 / expectedCur;
  }
  return { statistic, dof, pValue: chiSquaredSurvival(statistic, dof) };
}

/** Counts as proportions of their sum (all zeros stay zeros). */
export function proportions(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/**
 * The Jensen-Shannon distance (natural log, as scipy's `jensenshannon`): the square root of the
 * mean Kullback-Leibler divergence of each distribution from their average. 0 for equal
 * distributions, √ln 2 ≈ 0.833 for disjoint ones.
 */
export function jensenShannonDistance(reference: readonly number[], current: readonly number[]): number {
  const p = proportions(reference);
  const q = proportions(current);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] ?? 0;
    const mi = (pi + qi) / 2;
    if (pi > 0) divergence += pi * Math.log(pi / mi);
    if (qi > 0) divergence += qi * Math.log(qi / mi);
  }
  return Math.sqrt(Math.max(0, divergence / 2));
}

/** Empty bins count as this share in PSI, so one empty bin does not make the index infinite (as Evidently does). */
export const psiFloor = 0.0001;

/** Population stability index: Σ (cur − ref) · ln(cur / ref) over bins or categories, in proportions. */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[]): number {
  const p = proportions(reference).map((x) => (x === 0 ? psiFloor : x));
  const q = proportions(current).map((x) => (x === 0 ? psiFloor : x));
  return p.reduce((sum, pi, i) => {
    const qi = q[i] ?? psiFloor;
    return sum + (qi - pi) * Math.log(qi / pi);
  }, 0);
}

/**
 * The Wasserstein-1 distance scaled by the reference's (population) standard deviation, as
 * Evidently normalises it; a near-constant reference is floored at 0.001.
 */
export function normalizedWasserstein(distance: number, referenceStd: number): number {
  return distance / Math.max(referenceStd, 0.001);
}
