/** Classifying DuckDB type names, e.g. to tell whether a column can feed a numeric feature. */

// BOOLEAN counts: it casts to 0/1, which is what a numeric feature wants.
const numericType = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?|BOOLEAN)$/i;

/** True for DuckDB types whose values are numbers (integers, floats, decimals, booleans). */
export function isNumericType(type: string): boolean {
  return numericType.test(type.trim());
}

const floatType = /^(FLOAT|REAL|DOUBLE|FLOAT4|FLOAT8)$/i;
const orderedType = /^(DATE|TIME|TIMESTAMP|INTERVAL)/i;

/** True for floating-point types, the only numeric ones that can hold NaN or ±Infinity. */
export function isFloatType(type: string): boolean {
  return floatType.test(type.trim());
}

/** True for dates, times, timestamps and intervals: ordered, but not numbers. */
export function isTemporalType(type: string): boolean {
  return orderedType.test(type.trim());
}
