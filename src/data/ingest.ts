/**
 * Ingest: reads the spec's source with DuckDB and stores an immutable Parquet snapshot in the
 * artifact store. Later steps (validate, split, train) read the snapshot, never the source,
 * so a pipeline run sees one fixed dataset even if the source files change meanwhile.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { PipelineSpec } from '../spec/schema.js';
import { requireColumns, specColumns } from './columns.js';
import { quoteIdent, quoteLiteral, withEngine, type DataEngine } from './engine.js';
import { describeSource, readingSource } from './read-error.js';
import { resolveDataSource } from './source.js';
import type { DatasetRef } from './types.js';

/** Options of {@link ingestDataset}. */
export interface IngestOptions {
  /** The validated spec; `data.source` or `data.query` says what to read. */
  readonly spec: PipelineSpec;
  /** Folder that a relative `data.source` is resolved against (the spec file's folder). */
  readonly baseDir: string;
  /** Where the snapshot is stored. */
  readonly store: ArtifactStore;
  /**
   * `'spec'` (default) keeps only the target, the features and the time-split column, which
   * keeps snapshots small and free of columns nobody asked for; `'all'` keeps every column.
   */
  readonly columns?: 'spec' | 'all';
  /** A shared engine; when left out, a fresh one is opened and closed. */
  readonly engine?: DataEngine;
}

/**
 * Snapshots the source to Parquet in the store and returns its reference with row count and
 * column types. Throws MlopsError DataNotFound (no such file, empty glob), DataUnreadable
 * (bad format, malformed file) or DataInvalid (a spec column is not in the data).
 */
export async function ingestDataset(opts: IngestOptions): Promise<DatasetRef> {
  return withEngine(opts.engine, async (engine) => {
    const source = await resolveDataSource(engine, opts.spec.data, opts.baseDir);
    const found = await describeSource(engine, source);
    requireColumns(opts.spec.data, found);
    const select = opts.columns === 'all' ? '*' : specColumns(opts.spec.data).map((c) => quoteIdent(c.name)).join(', ');
    const dir = await mkdtemp(path.join(tmpdir(), 'mlops-ingest-'));
    try {
      const tmp = path.join(dir, 'snapshot.parquet');
      await readingSource(source, () =>
        engine.run(`COPY (SELECT ${select} FROM ${source.relation}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`, source.queryOptions),
      );
      const snapshot = `read_parquet(${quoteLiteral(tmp)})`;
      const columns = await engine.describe(`SELECT * FROM ${snapshot}`);
      const [count] = await engine.rows(`SELECT count(*) AS n FROM ${snapshot}`);
      const ref = await opts.store.putFile(tmp, '.parquet');
      return { ...ref, rows: Number(count?.['n'] ?? 0), columns };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
