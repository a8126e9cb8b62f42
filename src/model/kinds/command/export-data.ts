/**
 * The files a `type: command` trainer reads: the training split of the snapshot, less the
 * validation holdout, and the holdout itself, in Parquet or CSV, written by DuckDB straight
 * from the snapshot (rows never pass through the JS heap). Columns are the target and the
 * features, named as in the data and typed as the built-in trainer sees them (numbers, or text
 * for categorical features and a classification target). The holdout is the built-in
 * trainer's ({@link holdoutOf}), so a sweep ranks every trainer on the same rows.
 */
import path from 'node:path';
import { quoteIdent, quoteLiteral, withEngine, type DataEngine } from '../../../data/engine.js';
import { readingSource } from '../../../data/read-error.js';
import { resolveFileSource } from '../../../data/source.js';
import { rankedQuery } from '../../../data/split.js';
import { MlopsError } from '../../../errors.js';
import type { PipelineSpec } from '../../../spec/schema.js';
import { holdoutOf } from '../../holdout.js';

export type ExportFormat = 'parquet' | 'csv';

/** Options of {@link exportTrainingData}. */
export interface ExportOptions {
  /** The Parquet snapshot written by ingest (a local path). */
  readonly dataset: string;
  /** The validated spec; `model.validationSplit` is the share of training rows held out (0: no validation file). */
  readonly spec: PipelineSpec;
  readonly format: ExportFormat;
  /** Folder the files are written to (must exist). */
  readonly dir: string;
  readonly engine?: DataEngine;
}

/** A written file and its row count. */
export interface ExportedFile {
  readonly file: string;
  readonly rows: number;
}

export interface ExportedData {
  readonly train: ExportedFile;
  /** Absent when `model.validationSplit` is 0 or too small to hold out a row. */
  readonly validation?: ExportedFile;
  readonly columns: readonly string[];
}

/** Writes `train.<format>` (and `validation.<format>`) into `dir`. */
export async function exportTrainingData(opts: ExportOptions): Promise<ExportedData> {
  return withEngine(opts.engine, async (engine) => {
    const source = await resolveFileSource(engine, opts.dataset, process.cwd());
    if (source.format !== 'parquet') throw new MlopsError('DataUnreadable', `${source.origin} is not a Parquet snapshot; the export reads what ingest wrote`);
    const { spec } = opts;
    const training = `${rankedQuery(spec, source.files)}, training AS (
        SELECT * EXCLUDE (__mlops_is_test), row_number() OVER (ORDER BY __mlops_row) - 1 AS __mlops_i FROM ranked WHERE NOT __mlops_is_test
      )`;
    return readingSource(source, () =>
      engine.withConnection(async (conn) => {
        const count = Number((await conn.runAndReadAll(`${training} SELECT count(*) AS n FROM training`)).getRowObjectsJS()[0]?.['n'] ?? 0);
        const { validation } = holdoutOf(spec, count);
        const name = `__mlops_validation_${process.pid}_${Date.now()}`;
        const table = quoteIdent(name);
        await conn.run(`CREATE TEMP TABLE ${table} (i BIGINT)`);
        try {
          const appender = await conn.createAppender(name);
          for (const i of validation) {
            appender.appendBigInt(BigInt(i));
            appender.endRow();
          }
          appender.closeSync();
          const write = async (name: string, held: boolean): Promise<ExportedFile> => {
            const file = path.join(opts.dir, `${name}.${opts.format}`);
            const where = `${held ? '' : 'NOT '}EXISTS (SELECT 1 FROM ${table} v WHERE v.i = training.__mlops_i)`;
            const select = `${training} SELECT * EXCLUDE (__mlops_row, __mlops_i) FROM training WHERE ${where} ORDER BY __mlops_i`;
            const options = opts.format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet';
            await conn.run(`COPY (${select}) TO ${quoteLiteral(file)} (${options})`);
            return { file, rows: held ? validation.length : count - validation.length };
          };
          const train = await write('train', false);
          const columns = (await conn.runAndReadAll(`${training} SELECT * EXCLUDE (__mlops_row, __mlops_i) FROM training LIMIT 0`)).columnNames();
          if (validation.length === 0) return { train, columns };
          return { train, validation: await write('validation', true), columns };
        } finally {
          await conn.run(`DROP TABLE IF EXISTS ${table}`);
        }
      }),
    );
  });
}
