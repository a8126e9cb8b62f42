/**
 * Ingest: reads the spec's source with DuckDB and stores an immutable Parquet snapshot in the
 * artifact store. Later steps (validate, split, train) read the snapshot, never the source,
 * so a pipeline run sees one fixed dataset even if the source files change meanwhile.
 */
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { PipelineSpec } from '../spec/schema.js';
import { requireColumns, specColumns } from './columns.js';
import { checkSnapshotUri } from './data-access.js';
import { quoteIdent, withEngine, type DataEngine } from './engine.js';
import { describeSource, readingSource } from './read-error.js';
import { readRelation, resolveDataSource, type DataSource } from './source.js';
import { readSnapshotMetadata, storeSnapshot } from './store-snapshot.js';
import type { DatasetRef } from './types.js';

/** Options of {@link ingestDataset}. */
export interface IngestOptions {
  /** The validated spec; `data.source`, `data.query` or `data.snapshot` says what to read. */
  readonly spec: PipelineSpec;
  /** Folder that a relative `data.source` is resolved against (the spec file's folder). */
  readonly baseDir: string;
  /** Where the snapshot is stored, and where `data.snapshot` is read from. */
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
 * column types. A `data.snapshot` is fetched through the store (so it reads the same on any
 * host) and keeps its `mlops.` metadata (e.g. up to when it holds served traffic). Throws
 * MlopsError DataNotFound (no such file, empty glob), DataUnreadable (bad format, malformed
 * file), DataInvalid (a spec column is not in the data) or ArtifactCorrupt (a missing or
 * modified `data.snapshot`).
 */
export async function ingestDataset(opts: IngestOptions): Promise<DatasetRef> {
  return withEngine(opts.engine, async (engine) => {
    const source = await sourceOf(engine, opts);
    const found = await describeSource(engine, source);
    requireColumns(opts.spec.data, found);
    const select = opts.columns === 'all' ? '*' : specColumns(opts.spec.data).map((c) => quoteIdent(c.name)).join(', ');
    const metadata = opts.spec.data.snapshot && source.files[0] ? await readSnapshotMetadata(engine, source.files[0]) : undefined;
    return storeSnapshot(engine, `SELECT ${select} FROM ${source.relation}`, opts.store, {
      queryOptions: source.queryOptions,
      ...(metadata ? { metadata } : {}),
      guard: (copy) => readingSource(source, copy),
    });
  });
}

async function sourceOf(engine: DataEngine, opts: IngestOptions): Promise<DataSource> {
  const { snapshot } = opts.spec.data;
  if (!snapshot) return resolveDataSource(engine, opts.spec.data, opts.baseDir);
  // Only the artifact store's own files, read through the store (which stops at the recorded size).
  await checkSnapshotUri(engine.access, snapshot.uri, snapshot.sha256, opts.store.contains?.bind(opts.store));
  // The store's local copy may be named by hash alone (a cache), so the format is not taken from its extension.
  const file = await opts.store.localPath(snapshot);
  return { relation: readRelation([file], 'parquet'), origin: `data.snapshot ${snapshot.uri}`, files: [file], format: 'parquet', queryOptions: {} };
}
