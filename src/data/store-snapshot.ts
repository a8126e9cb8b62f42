/**
 * Writes a query's result as a Parquet snapshot into the artifact store: the one way ingest,
 * the monitoring window and the retraining data become immutable datasets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore } from '../registry/artifact-store.js';
import { quoteLiteral, type DataEngine, type QueryOptions } from './engine.js';
import type { DatasetRef } from './types.js';

/** Options of {@link storeSnapshot}. */
export interface StoreSnapshotOptions {
  /** Session settings for the query (e.g. the folder relative paths in `data.query` resolve against). */
  readonly queryOptions?: QueryOptions;
  /** Parquet key-value metadata to write with the data (see {@link readSnapshotMetadata}). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Wraps the COPY, e.g. to turn DuckDB read errors into errors that name the source. */
  readonly guard?: (copy: () => Promise<void>) => Promise<void>;
}

/** Runs `select` into a zstd Parquet file, stores it and returns its reference with row count and column types. */
export async function storeSnapshot(engine: DataEngine, select: string, store: ArtifactStore, opts: StoreSnapshotOptions = {}): Promise<DatasetRef> {
  // In the engine's scratch folder: the only place outside the data roots its lock lets it write.
  const dir = await mkdtemp(path.join(engine.scratchDir, 'snapshot-'));
  try {
    const tmp = path.join(dir, 'snapshot.parquet');
    const entries = Object.entries(opts.metadata ?? {});
    const metadata = entries.length > 0 ? `, KV_METADATA {${entries.map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`).join(', ')}}` : '';
    const copy = () => engine.run(`COPY (${select}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd${metadata})`, opts.queryOptions);
    await (opts.guard ? opts.guard(copy) : copy());
    const snapshot = `read_parquet(${quoteLiteral(tmp)})`;
    const columns = await engine.describe(`SELECT * FROM ${snapshot}`);
    const [count] = await engine.rows(`SELECT count(*) AS n FROM ${snapshot}`);
    const ref = await store.putFile(tmp, '.parquet');
    return { ...ref, rows: Number(count?.['n'] ?? 0), columns };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A Parquet file's key-value metadata under the `mlops.` prefix (as written by
 * {@link storeSnapshot}); other writers' entries (pandas, Arrow) may not be text and are skipped.
 */
export async function readSnapshotMetadata(engine: DataEngine, file: string): Promise<Record<string, string>> {
  const rows = await engine.rows(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${quoteLiteral(file)}) WHERE starts_with(decode(key), 'mlops.')`);
  return Object.fromEntries(rows.map((r) => [String(r['k']), String(r['v'])]));
}
