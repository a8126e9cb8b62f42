/**
 * Histogram bin edges. Edges sit on "nice" numbers (1, 2, 2.5 or 5 × 10^k steps), so a column
 * with about the same range gets the same edges in every run, and the edges derived from a
 * schema's range are shared by the reference and every later dataset checked against it.
 */

/** Bins a histogram aims for when nothing else decides. */
export const defaultBins = 20;

/**
 * Equal-width edges on nice numbers covering [min, max] with about `target` bins (never more
 * than 2 × target). A constant column gets one bin [min, min + 1].
 */
export function niceEdges(min: number, max: number, target = defaultBins): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  if (max === min) return [min, min + 1];
  const step = niceStep((max - min) / Math.max(1, target));
  // The tolerance keeps 0.3 / 0.1 = 2.9999999999999996 from moving an edge a whole step.
  const lo = Math.floor(min / step + 1e-9) * step;
  let hi = Math.ceil(max / step - 1e-9) * step;
  if (hi <= lo) hi = lo + step;
  const bins = Math.max(1, Math.round((hi - lo) / step));
  return Array.from({ length: bins + 1 }, (_, i) => round(lo + i * step));
}

/** Sturges' rule, as numpy's `histogram_bin_edges(bins="sturges")`: ⌈log2 n⌉ + 1 bins. */
export function sturgesBins(n: number): number {
  return n <= 1 ? 1 : Math.ceil(Math.log2(n)) + 1;
}

/**
 * A SQL expression giving the bin index of `value` over uniform `edges`: -1 below the first
 * edge, `bins` above the last; the last bin is closed so the maximum falls inside it.
 */
export function binIndexSql(value: string, edges: readonly number[]): string {
  const bins = edges.length - 1;
  const lo = edges[0] as number;
  const hi = edges[bins] as number;
  const step = (hi - lo) / bins;
  return `CASE WHEN ${value} < ${sqlNumber(lo)} THEN -1 WHEN ${value} > ${sqlNumber(hi)} THEN ${bins} ELSE least(floor((${value} - ${sqlNumber(lo)}) / ${sqlNumber(step)} + 1e-9)::BIGINT, ${bins - 1}) END`;
}

/** A finite number as a SQL DOUBLE literal (exponent form keeps tiny and huge values exact). */
export function sqlNumber(x: number): string {
  return `${x.toExponential()}::DOUBLE`;
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  return nice * magnitude;
}

/** Drops floating-point noise such as 0.30000000000000004. */
function round(x: number): number {
  return Number(x.toPrecision(12));
}
