/**
 * What the model servers served, as one DuckDB relation with the spec's names: each prediction
 * made in a time range, its features under their spec names, and the first `:feedback` label
 * for it as `data.target` (null until one arrives). Segments are found through the registry's
 * index and read through the artifact store, so the monitor may run on any host.
 *
 * Segments are read with explicit column types from the spec, so an empty segment, a feature
 * that is null in every row or a column some writer left out cannot change the relation's types.
 */
import type { DataEngine } from '../data/engine.js';
import { quoteIdent, quoteList, quoteLiteral } from '../data/engine.js';
import { readingSource } from '../data/read-error.js';
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { InferenceSegment, ModelRegistry } from '../registry/model-registry.js';
import { featureColumn } from '../serving/inference-log-columns.js';
import type { PipelineSpec } from '../spec/schema.js';

/** Which served rows {@link servedRows} reads. */
export interface ServedRowsQuery {
  readonly spec: PipelineSpec;
  readonly store: ArtifactStore;
  readonly registry: ModelRegistry;
  /** Only predictions made at or after this time; unset: from the first one. */
  readonly since?: Date;
  /** Only predictions made before this time. */
  readonly until: Date;
  /** Only predictions that have a label (training data). */
  readonly labelledOnly?: boolean;
}

/** The served rows as SQL, and the segments they come from. */
export interface ServedRows {
  /**
   * A relation for `FROM` with an ingest snapshot's columns: `data.target` (DOUBLE for
   * regression, VARCHAR for classification; null without a label), each feature (DOUBLE or
   * VARCHAR by its type) and, for a time split on a column that is not a feature, that column
   * filled with the serving time (TIMESTAMP WITH TIME ZONE). Ordered by serving time.
   */
  readonly relation: string;
  /**
   * For messages: queries run under `readingSource(served, …)`, so a segment DuckDB cannot read
   * (malformed JSON, a value of the wrong type for the spec) is a DataUnreadable naming it.
   */
  readonly origin: string;
  readonly files: readonly string[];
}

/**
 * The served rows of `spec.name` in `[since, until)`, joined with their labels on
 * `(request_id, index)`; the first label of a prediction wins. Undefined when no prediction
 * segment covers the range (nothing shipped yet).
 */
export async function servedRows(q: ServedRowsQuery): Promise<ServedRows | undefined> {
  const since = q.since?.toISOString();
  const until = q.until.toISOString();
  const listed = await q.registry.listInferenceSegments(q.spec.name, { kind: 'predictions', ...(since ? { since } : {}) });
  const predictions = listed.filter((s) => s.firstAt < until);
  if (predictions.length === 0) return undefined;
  const feedback = await q.registry.listInferenceSegments(q.spec.name, { kind: 'feedback', ...(since ? { since } : {}) });
  const [predictionFiles, feedbackFiles] = await Promise.all([localFiles(q.store, predictions), localFiles(q.store, feedback)]);

  const { data } = q.spec;
  const labelType = q.spec.task === 'regression' ? 'DOUBLE' : 'VARCHAR';
  const features = data.features.map((f) => ({ name: f.name, column: featureColumn(f.name), type: f.type === 'numeric' ? 'DOUBLE' : 'VARCHAR' }));
  const predictionColumns = { time: 'TIMESTAMPTZ', request_id: 'VARCHAR', index: 'BIGINT', ...Object.fromEntries(features.map((f) => [f.column, f.type])) };
  const inRange = [`time < ${timestamp(until)}`, ...(since ? [`time >= ${timestamp(since)}`] : [])].join(' AND ');
  const timeColumn = servingTimeColumn(q.spec);
  const select = [
    `l.label AS ${quoteIdent(data.target)}`,
    ...features.map((f) => `p.${quoteIdent(f.column)} AS ${quoteIdent(f.name)}`),
    ...(timeColumn ? [`p.time AS ${quoteIdent(timeColumn)}`] : []),
  ];
  const relation = `(
    WITH predictions AS (
      SELECT * FROM ${readSegments(predictionFiles, predictionColumns)} WHERE ${inRange}
    ), labels AS (
      ${firstLabels(feedbackFiles, labelType)}
    )
    SELECT ${select.join(', ')}
    FROM predictions p ${q.labelledOnly ? 'JOIN' : 'LEFT JOIN'} labels l ON l.request_id = p.request_id AND l."index" = p."index"
    ORDER BY p.time, p.request_id, p."index"
  )`;
  const origin = `the inference log of model "${q.spec.name}" (${predictions.length} prediction and ${feedback.length} feedback segments)`;
  return { relation, origin, files: [...predictionFiles, ...feedbackFiles] };
}

/** Counts the served rows: all of them, and those with a label. */
export async function countServed(engine: DataEngine, spec: PipelineSpec, served: ServedRows): Promise<{ rows: number; labelled: number }> {
  const [row] = await readingSource(served, () => engine.rows(`SELECT count(*) AS n, count(${quoteIdent(spec.data.target)}) AS labelled FROM ${served.relation}`));
  return { rows: Number(row?.['n'] ?? 0), labelled: Number(row?.['labelled'] ?? 0) };
}

/** The time-split column that only the serving time can fill, if any. */
function servingTimeColumn(spec: PipelineSpec): string | undefined {
  const { split, features, target } = spec.data;
  if (split.method !== 'time' || split.column === target || features.some((f) => f.name === split.column)) return undefined;
  return split.column;
}

/**
 * One label per prediction: the first by time, then by segment order (segments are listed oldest
 * first), as the server keeps it: a later, different label for the same prediction never replaces it.
 */
function firstLabels(files: readonly string[], labelType: string): string {
  if (files.length === 0) return `SELECT NULL::VARCHAR AS request_id, NULL::BIGINT AS "index", NULL::${labelType} AS label WHERE false`;
  const columns = { time: 'TIMESTAMPTZ', request_id: 'VARCHAR', index: 'BIGINT', label: labelType };
  return `SELECT request_id, "index", label FROM ${readSegments(files, columns, true)}
      WHERE label IS NOT NULL
      QUALIFY row_number() OVER (PARTITION BY request_id, "index" ORDER BY time, list_position(${quoteList(files)}, filename)) = 1`;
}

function readSegments(files: readonly string[], columns: Record<string, string>, withFilename = false): string {
  const struct = Object.entries(columns)
    .map(([name, type]) => `${quoteLiteral(name)}: ${quoteLiteral(type)}`)
    .join(', ');
  // Tolerant: a line no reader can parse (a writer that died mid-line, a value of the wrong type)
  // is skipped rather than making the whole window unreadable and the check fail.
  return `read_json(${quoteList(files)}, format = 'newline_delimited', columns = {${struct}}, ignore_errors = true${withFilename ? ', filename = true' : ''})`;
}

function timestamp(iso: string): string {
  return `TIMESTAMPTZ ${quoteLiteral(iso)}`;
}

async function localFiles(store: ArtifactStore, segments: readonly InferenceSegment[]): Promise<string[]> {
  return Promise.all(segments.map((s) => store.localPath(s.artifact)));
}
