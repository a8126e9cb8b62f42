/** Reading the JS values DuckDB returns (BIGINT as bigint, MAP as `[{ key, value }]`) as plain numbers. */

/** A count or aggregate as a number; null and undefined count as 0. */
export function toNumber(x: unknown): number {
  if (typeof x === 'bigint') return Number(x);
  if (typeof x === 'number') return x;
  if (x === null || x === undefined) return 0;
  return Number(x);
}

/** A number, or null when there is none or it is not finite. */
export function toNullableNumber(x: unknown): number | null {
  if (x === null || x === undefined) return null;
  const n = toNumber(x);
  return Number.isFinite(n) ? n : null;
}

/** Entries of a DuckDB MAP (e.g. from `histogram()`) as returned by the JS conversion (`[{ key, value }]`). */
export function mapEntries(value: unknown): [unknown, number][] {
  if (!Array.isArray(value)) return [];
  return value.map((e: { key: unknown; value: unknown }) => [e.key, toNumber(e.value)]);
}
