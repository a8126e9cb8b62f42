/**
 * The few distribution functions the drift tests need (p-values of the chi-squared and the
 * two-sample Kolmogorov-Smirnov tests), in plain TypeScript so no native statistics library
 * is required. Accuracy is about 1e-10, far beyond what a drift threshold needs.
 */

const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = lanczos[0] as number;
  for (let i = 1; i < lanczos.length; i++) a += (lanczos[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-15;
const TINY = 1e-300;

/** The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (!Number.isFinite(x)) return 0;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    // Series for P(a, x).
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < 10_000 && Math.abs(del) > Math.abs(sum) * EPS; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
    }
    return Math.max(0, 1 - sum * front);
  }
  // Lentz's continued fraction for Q(a, x).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.min(1, front * h);
}

/** P(X ≥ x) for X ~ χ²(dof): the p-value of a chi-squared statistic. */
export function chiSquaredSurvival(x: number, dof: number): number {
  if (dof <= 0) return 1;
  return gammaQ(dof / 2, x / 2);
}

/** Above this many (m × n) lattice points the KS p-value uses the asymptotic distribution. */
const KS_EXACT_LIMIT = 25_000_000;

/**
 * The two-sided p-value P(D ≥ d) of the two-sample Kolmogorov-Smirnov statistic `d` for
 * samples of sizes `m` and `n`: exact (lattice-path count, as scipy's `ks_2samp` method
 * "exact") while m × n ≤ 25 million, else Kolmogorov's limit distribution with Stephens'
 * small-sample correction.
 */
export function ksPValue(d: number, m: number, n: number): number {
  if (m === 0 || n === 0 || d <= 0) return 1;
  return m * n <= KS_EXACT_LIMIT ? ksExactPValue(d, m, n) : ksAsymptoticPValue(d, m, n);
}

/**
 * P(D ≥ d) exactly: 1 − the probability that a uniformly random monotone lattice path from
 * (0, 0) to (m, n) stays where |i/m − j/n| < d. Walked as a Markov chain over the path's
 * steps, so every number stays a probability (no huge binomial counts).
 */
export function ksExactPValue(d: number, m: number, n: number): number {
  // |i/m − j/n| < d  ⇔  |i·n − j·m| < d·m·n; D is always k/(m·n) for an integer k, so snap to it.
  const scaled = d * m * n;
  const limit = Math.abs(scaled - Math.round(scaled)) < 1e-7 ? Math.round(scaled) : scaled;
  const inside = (i: number, j: number) => Math.abs(i * n - j * m) < limit;
  const row = new Float64Array(n + 1);
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= n; j++) {
      if (i === 0 && j === 0) {
        row[0] = 1;
        continue;
      }
      if (!inside(i, j)) {
        row[j] = 0;
        continue;
      }
      const remaining = m - i + n - j + 1;
      const fromLeft = i > 0 ? (row[j] as number) * ((m - i + 1) / remaining) : 0;
      const fromBelow = j > 0 ? (row[j - 1] as number) * ((n - j + 1) / remaining) : 0;
      row[j] = fromLeft + fromBelow;
    }
  }
  return Math.min(1, Math.max(0, 1 - (row[n] as number)));
}

/** P(D ≥ d) from Kolmogorov's distribution with Stephens' correction (Numerical Recipes' probks). */
export function ksAsymptoticPValue(d: number, m: number, n: number): number {
  const en = Math.sqrt((m * n) / (m + n));
  const lambda = (en + 0.12 + 0.11 / en) * d;
  return kolmogorovQ(lambda);
}

/** Q_KS(λ) = 2 Σ (−1)^(j−1) exp(−2 j² λ²). */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  let previous = 0;
  for (let j = 1; j <= 100; j++) {
    const term = 2 * (j % 2 === 1 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) <= 1e-12 * Math.abs(sum) || Math.abs(term) <= 1e-16 * previous) break;
    previous = Math.abs(term);
  }
  return Math.min(1, Math.max(0, sum));
}
