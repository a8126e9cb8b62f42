/** Ingest: reads the spec's source with DuckDB and stores an immutable Parquet snapshot. */
import { ingestDataset } from '../src/data/ingest.js';
import type { DatasetRef } from '../src/data/types.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export function ingestActivity(deps: ActivityDeps) {
  return async function ingest(spec: PipelineSpec): Promise<DatasetRef> {
    return asFailure(() => ingestDataset({ spec, baseDir: deps.baseDir, store: deps.store }));
  };
}
