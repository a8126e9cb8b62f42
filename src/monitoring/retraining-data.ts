/**
 * The data a retrain from production traffic trains on: the production version's training
 * snapshot plus the labelled rows served since that snapshot was cut, as one Parquet snapshot.
 *
 * Each such snapshot records in its Parquet metadata (`mlops.served_until`) up to which serving
 * time it holds served rows, and ingest keeps that metadata, so the next retrain adds only rows
 * served after it: none twice, however many retrains follow. A snapshot without the entry (one
 * ingested from files) holds no served rows, so every labelled served row is new to it. Not added
 * later: a label that arrives after the retrain for a row served before the cut, and a row served
 * before the cut in a segment shipped after it (cutting on segments instead would fix both).
 */
import { requireColumns } from '../data/columns.js';
import { quoteIdent, quoteLiteral, withEngine, type DataEngine } from '../data/engine.js';
import { readingSource } from '../data/read-error.js';
import { readSnapshotMetadata, storeSnapshot } from '../data/store-snapshot.js';
import type { DatasetRef } from '../data/types.js';
import type { ArtifactRef, ArtifactStore } from '../registry/artifact-store.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { PipelineSpec } from '../spec/schema.js';
import { countServed, servedRows } from './served-rows.js';

/** The Parquet metadata key: ISO time up to which (exclusive) a snapshot holds served rows. */
export const servedUntilKey = 'mlops.served_until';

/** Options of {@link snapshotRetrainingData}. */
export interface RetrainingDataOptions {
  readonly spec: PipelineSpec;
  readonly store: ArtifactStore;
  readonly registry: ModelRegistry;
  /** The production version's training snapshot (`lineage.dataset`). */
  readonly base: ArtifactRef;
  /** Rows served before this time are taken; later ones wait for the next retrain. */
  readonly until: Date;
  readonly engine?: DataEngine;
}

/** The retraining snapshot and where its rows come from. */
export interface RetrainingData {
  readonly dataset: DatasetRef;
  readonly baseRows: number;
  readonly servedRows: number;
  /** Served rows were taken from this time (null: from the first); see {@link servedUntilKey}. */
  readonly servedSince: string | null;
}

/**
 * Writes training snapshot ∪ labelled served rows (features and target cast to the spec's types
 * on both sides); undefined when no labelled row was served since the snapshot was cut.
 */
export async function snapshotRetrainingData(opts: RetrainingDataOptions): Promise<RetrainingData | undefined> {
  const { spec } = opts;
  return withEngine(opts.engine, async (engine) => {
    const baseFile = await opts.store.localPath(opts.base);
    const baseRelation = `read_parquet(${quoteLiteral(baseFile)})`;
    requireColumns(spec.data, await engine.describe(`SELECT * FROM ${baseRelation}`));
    const servedSince = (await readSnapshotMetadata(engine, baseFile))[servedUntilKey] ?? null;
    const served = await servedRows({ spec, store: opts.store, registry: opts.registry, until: opts.until, labelledOnly: true, ...(servedSince ? { since: new Date(servedSince) } : {}) });
    if (!served) return undefined;
    const { labelled } = await countServed(engine, spec, served);
    if (labelled === 0) return undefined;
    const typed = typedColumns(spec);
    const union = `SELECT ${typed} FROM ${baseRelation} UNION ALL BY NAME SELECT ${typed} FROM ${served.relation}`;
    const dataset = await storeSnapshot(engine, union, opts.store, { metadata: { [servedUntilKey]: opts.until.toISOString() }, guard: (copy) => readingSource(served, copy) });
    return { dataset, baseRows: dataset.rows - labelled, servedRows: labelled, servedSince };
  });
}

/** Target and features cast as training reads them, so both sides agree on types; other columns (a time-split column) as they are. */
function typedColumns(spec: PipelineSpec): string {
  const { target, features } = spec.data;
  const cast = (name: string, numeric: boolean) => (numeric ? `TRY_CAST(${quoteIdent(name)} AS DOUBLE)` : `CAST(${quoteIdent(name)} AS VARCHAR)`) + ` AS ${quoteIdent(name)}`;
  const named = new Set([target, ...features.map((f) => f.name)]);
  const rest = spec.data.split.method === 'time' && !named.has(spec.data.split.column) ? [quoteIdent(spec.data.split.column)] : [];
  return [cast(target, spec.task === 'regression'), ...features.map((f) => cast(f.name, f.type === 'numeric')), ...rest].join(', ');
}
