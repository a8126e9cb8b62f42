/** Classifying DuckDB type names, e.g. to tell whether a column can feed a numeric feature. */

// BOOLEAN counts: it casts to 0/1, which is what a numeric feature wants.
const numericType = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?|BOOLEAN)$/i;

/** True for DuckDB types whose values are numbers (integers, floats, decimals, booleans). */
export function isNumericType(type: string): boolean {
  return numericType.test(type.trim());
}
