/**
 * Snapshots the monitoring window like ingest does: the files matching `monitoring.source`, or
 * with `inference-log` the instances the model servers served (src/monitoring/inference-window.ts).
 * A source that vanished, matches nothing or has served nothing yet is not an error for a
 * months-long monitor: it returns null and the loop waits for the next check.
 */
import { ingestDataset } from '../src/data/ingest.js';
import type { DatasetRef } from '../src/data/types.js';
import { isMlopsError } from '../src/errors.js';
import { snapshotInferenceWindow } from '../src/monitoring/inference-window.js';
import { inferenceLogSource, type PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export interface WindowSnapshot {
  readonly dataset: DatasetRef | null;
  /** Rows with a label; reported for the inference log, where labels arrive later than predictions. */
  readonly labelledRows?: number;
  readonly warning?: string;
}

export function snapshotWindowActivity(deps: ActivityDeps) {
  return async function snapshotWindow(input: { spec: PipelineSpec; source: string }): Promise<WindowSnapshot> {
    return asFailure(async () => {
      if (input.source === inferenceLogSource) {
        return snapshotInferenceWindow({ spec: input.spec, store: deps.store, registry: deps.registry, now: new Date() });
      }
      const spec = { ...input.spec, data: { ...input.spec.data, source: input.source, query: undefined, snapshot: undefined } };
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
