/**
 * The deterministic train/test split, computed in DuckDB and returned column-major. This is
 * the one place rows enter the JS heap: training and evaluation need them in memory.
 *
 * - random: rows are ordered by a hash of (row number in the snapshot, seed) and the first
 *   `test` share goes to test, so the same snapshot and seed always give the same split and
 *   the proportions are exact rather than approximate;
 * - time: the latest `test` share by `split.column` is test (rows without a time train).
 */
import { MlopsError } from '../errors.js';
import type { PipelineSpec } from '../spec/schema.js';
import { requireColumns } from './columns.js';
import { quoteIdent, quoteList, withEngine, type DataEngine } from './engine.js';
import { describeSource, readingSource } from './read-error.js';
import { resolveFileSource } from './source.js';
import type { CellValue, DataSplit, TabularData } from './types.js';

/** Options of {@link loadSplit}. */
export interface SplitOptions {
  /** The Parquet snapshot written by ingest (a local path). */
  readonly dataset: string;
  readonly spec: PipelineSpec;
  /** Folder a relative `dataset` is resolved against; defaults to the working directory. */
  readonly baseDir?: string;
  /** A shared engine; when left out, a fresh one is opened and closed. */
  readonly engine?: DataEngine;
}

/**
 * Loads the train and test parts of a snapshot with the target and the features only:
 * numeric features (and a regression target) as finite numbers or null, categorical
 * features (and a classification target) as strings or null. Rows without a target are dropped.
 */
export async function loadSplit(opts: SplitOptions): Promise<DataSplit> {
  return withEngine(opts.engine, async (engine) => {
    const source = await resolveFileSource(engine, opts.dataset, opts.baseDir ?? process.cwd());
    if (source.format !== 'parquet') {
      throw new MlopsError('DataUnreadable', `${source.origin} is not a Parquet snapshot; loadSplit reads what ingest wrote`);
    }
    const columns = await describeSource(engine, source);
    requireColumns(opts.spec.data, columns);
    const ranked = rankedQuery(opts.spec, source.files);
    const part = async (test: boolean): Promise<TabularData> => {
      const sql = `${ranked} SELECT * EXCLUDE (__mlops_row, __mlops_is_test) FROM ranked WHERE __mlops_is_test = ${test} ORDER BY __mlops_row`;
      return toTable(await readingSource(source, () => engine.columns(sql)));
    };
    return { train: await part(false), test: await part(true) };
  });
}

/**
 * A CTE `ranked` with the typed spec columns (target first, then the features), a stable row id
 * `__mlops_row` and `__mlops_is_test`. Training rows in `__mlops_row` order are the rows of
 * {@link loadSplit}'s `train`, in its order (the command trainer's data export relies on it).
 */
export function rankedQuery(spec: PipelineSpec, files: readonly string[]): string {
  const { target, features, split } = spec.data;
  const asNumber = (q: string) => `CASE WHEN isfinite(TRY_CAST(${q} AS DOUBLE)) THEN TRY_CAST(${q} AS DOUBLE) END`;
  const asText = (q: string) => `CAST(${q} AS VARCHAR)`;
  const typed = new Map<string, string>([[target, spec.task === 'regression' ? asNumber(quoteIdent(target)) : asText(quoteIdent(target))]]);
  for (const f of features) {
    if (!typed.has(f.name)) typed.set(f.name, f.type === 'numeric' ? asNumber(quoteIdent(f.name)) : asText(quoteIdent(f.name)));
  }
  const select = [...typed].map(([name, expr]) => `${expr} AS ${quoteIdent(name)}`).join(', ');
  // file_row_number is the row's position in its file: stable for a snapshot, unlike row_number() OVER ().
  const rowId = files.length === 1 ? 'file_row_number' : `hash(filename, file_row_number)`;
  const order = split.method === 'random' ? `hash(__mlops_row, ${split.seed}::BIGINT), __mlops_row` : `__mlops_time ASC NULLS FIRST, __mlops_row`;
  const time = split.method === 'time' ? `, ${quoteIdent(split.column)} AS __mlops_time` : '';
  // At least one row on each side once there are two rows; rounding alone could leave one empty.
  const testRows = `CASE WHEN __mlops_n < 2 THEN 0 ELSE greatest(1, least(__mlops_n - 1, round(__mlops_n * ${split.test}))) END`;
  const isTest = split.method === 'random' ? `__mlops_rank <= ${testRows}` : `__mlops_rank > __mlops_n - ${testRows}`;
  return `WITH base AS (
      SELECT ${select}, ${rowId} AS __mlops_row${time}
      FROM read_parquet(${quoteList(files)}, file_row_number = true)
    ), kept AS (
      SELECT * FROM base WHERE ${quoteIdent(target)} IS NOT NULL
    ), numbered AS (
      SELECT *, row_number() OVER (ORDER BY ${order}) AS __mlops_rank, count(*) OVER () AS __mlops_n FROM kept
    ), ranked AS (
      SELECT * EXCLUDE (__mlops_rank, __mlops_n${time ? ', __mlops_time' : ''}), ${isTest} AS __mlops_is_test FROM numbered
    )`;
}

function toTable(columns: Record<string, unknown[]>): TabularData {
  const values = Object.values(columns);
  return { rows: values[0]?.length ?? 0, columns: columns as Record<string, CellValue[]> };
}
