/**
 * Validate: checks a dataset against the spec before any training time is spent. Blocking
 * problems throw MlopsError('DataInvalid') naming the column; the rest become warnings.
 * Every statistic is one aggregate query in DuckDB: no rows enter the JS heap.
 */
import { MlopsError } from '../errors.js';
import type { FeatureSpec, PipelineSpec } from '../spec/schema.js';
import { requireColumns } from './columns.js';
import { isNumericType } from './duckdb-types.js';
import { quoteIdent, withEngine, type DataEngine } from './engine.js';
import { readingSource } from './read-error.js';
import { resolveFileSource } from './source.js';
import type { ColumnInfo, ColumnSummary, ValidationSummary } from './types.js';

export type { ColumnSummary, ValidationSummary } from './types.js';

/** Options of {@link validateDataset}. */
export interface ValidateOptions {
  /** The dataset: usually the ingested Parquet snapshot; any file, directory or glob `data.source` accepts. */
  readonly dataset: string;
  readonly spec: PipelineSpec;
  /** Folder a relative `dataset` is resolved against; defaults to the working directory. */
  readonly baseDir?: string;
  /** A shared engine; when left out, a fresh one is opened and closed. */
  readonly engine?: DataEngine;
}

/** A feature is flagged when more than this share of its values is missing. */
const MISSING_WARN_SHARE = 0.5;
/** A categorical feature with more distinct values than this is flagged as high-cardinality. */
const HIGH_CARDINALITY = 100;
/** Fewer rows than this make test metrics noisy. */
const FEW_ROWS = 50;

/**
 * Checks that the dataset has rows, the target and every feature, and types that fit the
 * task and the declared feature types. Returns row count, per-column missing counts and
 * warnings; throws MlopsError('DataInvalid') naming the column for anything that blocks training.
 */
export async function validateDataset(opts: ValidateOptions): Promise<ValidationSummary> {
  return withEngine(opts.engine, async (engine) => {
    const source = await resolveFileSource(engine, opts.dataset, opts.baseDir ?? process.cwd());
    const columns = await readingSource(source, () => engine.describe(`SELECT * FROM ${source.relation}`));
    requireColumns(opts.spec.data, columns);
    const stats = await readingSource(source, () => collectStats(engine, source.relation, columns, opts.spec));
    if (stats.rowCount === 0) {
      throw new MlopsError('DataInvalid', `the dataset has 0 rows; check ${opts.spec.data.query === undefined ? 'data.source' : 'data.query'}`);
    }
    checkTarget(opts.spec, stats);
    const warnings = [...opts.spec.data.features.flatMap((f) => checkFeature(f, stats)), ...generalWarnings(opts.spec, stats)];
    const summaries: ColumnSummary[] = columns.map((c) => ({ name: c.name, type: c.type, missing: stats.missing(c.name) }));
    return { rowCount: stats.rowCount, columns: summaries, warnings };
  });
}

/** The aggregates validation needs, read back by column name. */
interface Stats {
  readonly rowCount: number;
  type(column: string): string;
  missing(column: string): number;
  distinct(column: string): number;
  /** The smallest non-null value as text, to quote in messages. */
  example(column: string): string;
  /** Non-null values that do not cast to a number, and the smallest of them. */
  nonNumeric(column: string): { count: number; example: string };
}

async function collectStats(engine: DataEngine, relation: string, columns: readonly ColumnInfo[], spec: PipelineSpec): Promise<Stats> {
  const exprs: string[] = [];
  // Generated aliases keep arbitrary column names out of the result's keys.
  const add = (expr: string): string => {
    const alias = `a${exprs.length}`;
    exprs.push(`${expr} AS ${alias}`);
    return alias;
  };
  const rowsAlias = add('count(*)');
  const missing = new Map(columns.map((c) => [c.name, add(`count(*) - count(${quoteIdent(c.name)})`)]));
  const profiled = [spec.data.target, ...spec.data.features.map((f) => f.name)];
  const distinct = new Map(profiled.map((n) => [n, add(`count(DISTINCT ${quoteIdent(n)})`)]));
  const example = new Map(profiled.map((n) => [n, add(`min(CAST(${quoteIdent(n)} AS VARCHAR))`)]));
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const mustBeNumeric = [
    ...spec.data.features.filter((f) => f.type === 'numeric').map((f) => f.name),
    ...(spec.task === 'regression' ? [spec.data.target] : []),
  ].filter((n) => !isNumericType(types.get(n) ?? ''));
  const nonNumeric = new Map(
    mustBeNumeric.map((n) => {
      const q = quoteIdent(n);
      const bad = `${q} IS NOT NULL AND TRY_CAST(${q} AS DOUBLE) IS NULL`;
      return [n, { count: add(`count(*) FILTER (WHERE ${bad})`), example: add(`min(CAST(${q} AS VARCHAR)) FILTER (WHERE ${bad})`) }];
    }),
  );
  const [row = {}] = await engine.rows(`SELECT ${exprs.join(', ')} FROM ${relation}`);
  const num = (alias: string | undefined): number => Number(alias === undefined ? 0 : (row[alias] ?? 0));
  const text = (alias: string | undefined): string => String(alias === undefined ? '' : (row[alias] ?? ''));
  return {
    rowCount: num(rowsAlias),
    type: (c) => types.get(c) ?? 'UNKNOWN',
    missing: (c) => num(missing.get(c)),
    distinct: (c) => num(distinct.get(c)),
    example: (c) => text(example.get(c)),
    nonNumeric: (c) => ({ count: num(nonNumeric.get(c)?.count), example: text(nonNumeric.get(c)?.example) }),
  };
}

function checkTarget(spec: PipelineSpec, stats: Stats): void {
  const name = spec.data.target;
  if (stats.missing(name) === stats.rowCount) {
    throw new MlopsError('DataInvalid', `data.target "${name}" is null in every row; check the column or the source`, { column: name });
  }
  if (spec.task === 'regression') {
    const bad = stats.nonNumeric(name);
    if (bad.count > 0) {
      throw new MlopsError(
        'DataInvalid',
        `data.target "${name}" must be numeric for task: regression, but it holds ${JSON.stringify(bad.example)} (type ${stats.type(name)}, ${bad.count} such rows); clean the column or use task: classification`,
        { column: name },
      );
    }
    return;
  }
  if (stats.distinct(name) < 2) {
    throw new MlopsError(
      'DataInvalid',
      `data.target "${name}" has a single class (${JSON.stringify(stats.example(name))}); classification needs at least two classes`,
      { column: name },
    );
  }
}

function checkFeature(feature: FeatureSpec, stats: Stats): string[] {
  const { name } = feature;
  const warnings: string[] = [];
  const type = stats.type(name);
  if (feature.type === 'numeric' && !isNumericType(type)) {
    const bad = stats.nonNumeric(name);
    if (bad.count > 0) {
      throw new MlopsError(
        'DataInvalid',
        `feature "${name}" is declared numeric but holds ${JSON.stringify(bad.example)} (type ${type}, ${bad.count} such rows); clean the column or declare it categorical`,
        { column: name },
      );
    }
    warnings.push(`numeric feature "${name}" is stored as ${type}; its values are cast to numbers`);
  }
  const missing = stats.missing(name);
  if (missing === stats.rowCount) warnings.push(`feature "${name}" is null in every row; it carries no signal`);
  else if (missing > stats.rowCount * MISSING_WARN_SHARE) {
    warnings.push(`feature "${name}" is missing in ${Math.round((100 * missing) / stats.rowCount)}% of rows`);
  }
  const distinct = stats.distinct(name);
  if (distinct === 1) warnings.push(`feature "${name}" has a single value (${JSON.stringify(stats.example(name))}); it carries no signal`);
  if (feature.type === 'categorical' && distinct > HIGH_CARDINALITY) {
    warnings.push(`categorical feature "${name}" has ${distinct} distinct values; rare values share one bucket`);
  }
  return warnings;
}

function generalWarnings(spec: PipelineSpec, stats: Stats): string[] {
  const warnings: string[] = [];
  const targetMissing = stats.missing(spec.data.target);
  if (targetMissing > 0) {
    warnings.push(`${targetMissing} of ${stats.rowCount} rows have no target "${spec.data.target}"; they are dropped before training`);
  }
  const split = spec.data.split;
  if (split.method === 'time' && stats.missing(split.column) > 0) {
    warnings.push(`${stats.missing(split.column)} rows have no "${split.column}" (data.split.column); they go to the training split`);
  }
  if (stats.rowCount < FEW_ROWS) warnings.push(`only ${stats.rowCount} rows; test metrics will be noisy`);
  return warnings;
}
