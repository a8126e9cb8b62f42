/**
 * The inference log's row format, shared by the model server that writes it and the monitor
 * that reads it. Rows are NDJSON with flat columns, so DuckDB reads a segment as a table:
 *
 * - prediction rows: `time, request_id, index, model, version, alias`, one column per feature
 *   (named as in the spec), `prediction`, and `probabilities` for classification;
 * - feedback rows: `time, request_id, index, model, label`.
 *
 * Join them on `(request_id, index)`.
 */

/** The log's own columns, in order; `probabilities` only for classification. */
export const logColumns = ['time', 'request_id', 'client_request_id', 'index', 'model', 'version', 'alias', 'prediction', 'probabilities', 'label'] as const;

const reserved = new Set<string>(logColumns);

/**
 * The column a feature is logged under: its own name, or `feature.<name>` when that name is
 * one of the log's own columns (or already starts with `feature.`), so no feature is lost.
 */
export function featureColumn(feature: string): string {
  return reserved.has(feature) || feature.startsWith('feature.') ? `feature.${feature}` : feature;
}
