/**
 * Snapshots the monitoring window (the files matching `monitoring.source`) like ingest does.
 * A source that vanished or matches nothing is not an error for a months-long monitor: it
 * returns null and the loop waits for the next check.
 */
import { ingestDataset } from '../src/data/ingest.js';
import type { DatasetRef } from '../src/data/types.js';
import { isMlopsError } from '../src/errors.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export interface WindowSnapshot {
  readonly dataset: DatasetRef | null;
  readonly warning?: string;
}

export function snapshotWindowActivity(deps: ActivityDeps) {
  return async function snapshotWindow(input: { spec: PipelineSpec; source: string }): Promise<WindowSnapshot> {
    return asFailure(async () => {
      const spec = { ...input.spec, data: { ...input.spec.data, source: input.source, query: undefined } };
      try {
        const dataset = await ingestDataset({ spec, baseDir: deps.baseDir, store: deps.store });
        return dataset.rows > 0 ? { dataset } : { dataset: null, warning: `monitoring source ${input.source} has no rows yet` };
      } catch (err) {
        if (isMlopsError(err) && err.type === 'DataNotFound') return { dataset: null, warning: err.message };
        throw err;
      }
    });
  };
}
