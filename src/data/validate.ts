/**
 * Validate: statistics + schema + anomalies for one dataset, before any training time is
 * spent. The statistics are two DuckDB scans (src/data/statistics.ts); the schema is the one
 * given (pinned or kept with the model) or inferred from this very dataset; the anomalies
 * come from comparing the two (src/data/anomalies.ts). Nothing here throws for bad values:
 * callers decide, usually with {@link assertValid}.
 */
import { anomalyError, detectAnomalies, type Anomaly } from './anomalies.js';
import type { PipelineSpec } from '../spec/schema.js';
import { expectationsOf, inferSchema, specKinds, specRoles, type DataSchema } from './data-schema.js';
import { withEngine, type DataEngine } from './engine.js';
import { describeSource, readingSource } from './read-error.js';
import { resolveDataSource, resolveFileSource } from './source.js';
import { computeStatistics, type ColumnKind, type DatasetStatistics } from './statistics.js';
import type { ColumnSummary } from './types.js';

/** Options of {@link validateDataset}. */
export interface ValidateOptions {
  /**
   * The dataset: usually the ingested Parquet snapshot; any file, directory or glob `data.source`
   * accepts. Left out: the spec's own `data.source` or `data.query`.
   */
  readonly dataset?: string;
  readonly spec: PipelineSpec;
  /** Folder a relative `dataset` is resolved against; defaults to the working directory. */
  readonly baseDir?: string;
  /** A shared engine; when left out, a fresh one is opened and closed. */
  readonly engine?: DataEngine;
  /** The schema to check against; when left out it is inferred from this dataset. */
  readonly schema?: DataSchema;
  /** How messages name the data (e.g. the spec's data.source for a snapshot); defaults to its path. */
  readonly origin?: string;
}

/** What validation found. Small enough to return from an activity once the statistics are stored apart. */
export interface ValidationOutcome {
  readonly rowCount: number;
  readonly columns: readonly ColumnSummary[];
  /** The warning anomalies' messages. */
  readonly warnings: string[];
  /** Every anomaly, errors first. */
  readonly anomalies: Anomaly[];
  readonly statistics: DatasetStatistics;
  /** The schema checked against (given, or inferred from this dataset). */
  readonly schema: DataSchema;
  readonly schemaInferred: boolean;
  /** How the data was named in messages. */
  readonly origin: string;
}

/**
 * Profiles the spec's columns (and any other column the schema lists) and checks them.
 * Throws only when the data cannot be read (DataNotFound, DataUnreadable).
 */
export async function validateDataset(opts: ValidateOptions): Promise<ValidationOutcome> {
  return withEngine(opts.engine, async (engine) => {
    const baseDir = opts.baseDir ?? process.cwd();
    const source = opts.dataset === undefined ? await resolveDataSource(engine, opts.spec.data, baseDir) : await resolveFileSource(engine, opts.dataset, baseDir, 'the dataset');
    const origin = opts.origin ?? source.origin;
    const found = await describeSource(engine, source);
    const wanted = new Set([...specRoles(opts.spec).keys(), ...(opts.schema?.columns.map((c) => c.name) ?? [])]);
    const columns = found.filter((c) => wanted.has(c.name));
    const kinds = new Map<string, ColumnKind>(opts.schema?.columns.map((c) => [c.name, c.kind]) ?? []);
    for (const [name, kind] of specKinds(opts.spec)) kinds.set(name, kind);
    const statistics = await readingSource(source, () =>
      computeStatistics({ engine, relation: source.relation, queryOptions: source.queryOptions, columns, kinds, expected: expectationsOf(opts.schema), origin }),
    );
    const schema = opts.schema ?? inferSchema(statistics, opts.spec);
    const anomalies = detectAnomalies(statistics, schema, opts.spec);
    return {
      rowCount: statistics.rows,
      columns: statistics.columns.map((c) => ({ name: c.name, type: c.type, missing: c.missing })),
      warnings: anomalies.filter((a) => a.severity === 'warning').map((a) => a.message),
      anomalies,
      statistics,
      schema,
      schemaInferred: opts.schema === undefined,
      origin,
    };
  });
}

/** Throws MlopsError('DataInvalid') listing the error anomalies on one line; `details` go into the error. */
export function assertValid(outcome: Pick<ValidationOutcome, 'anomalies' | 'origin'>, details: Record<string, unknown> = {}): void {
  const err = anomalyError(outcome.anomalies, outcome.origin, details);
  if (err) throw err;
}

/** One line for people, e.g. `3000 rows, 7 columns: 0 errors, 2 warnings (schema: model)`. */
export function describeOutcome(outcome: Pick<ValidationOutcome, 'rowCount' | 'statistics' | 'anomalies'>, schemaLabel: string): string {
  const errors = outcome.anomalies.filter((a) => a.severity === 'error').length;
  const warnings = outcome.anomalies.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(outcome.rowCount, 'row')}, ${plural(outcome.statistics.columns.length, 'column')}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} (schema: ${schemaLabel})`;
}
