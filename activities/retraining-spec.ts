/**
 * The spec a retrain runs on: the original training data plus everything that arrived in the
 * monitoring source ("accumulated data"), read as one DuckDB relation.
 */
import { DataEngine } from '../src/data/engine.js';
import { readRelation, resolveDataSource } from '../src/data/source.js';
import { isMlopsError } from '../src/errors.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export function retrainingSpecActivity(deps: ActivityDeps) {
  return async function retrainingSpec(spec: PipelineSpec): Promise<PipelineSpec> {
    return asFailure(async () => {
      if (!spec.monitoring.source || !spec.data.source) return spec;
      const engine = await DataEngine.open();
      try {
        const base = await resolveDataSource(engine, { source: spec.data.source }, deps.baseDir);
        const incoming = await resolveDataSource(engine, { source: spec.monitoring.source }, deps.baseDir).catch((err: unknown) => {
          if (isMlopsError(err) && err.type === 'DataNotFound') return undefined;
          throw err;
        });
        if (!incoming || incoming.format !== base.format || !base.format) return spec;
        const files = [...new Set([...base.files, ...incoming.files])];
        const query = `SELECT * FROM ${readRelation(files, base.format)}`;
        return { ...spec, data: { ...spec.data, source: undefined, query } };
      } finally {
        engine.close();
      }
    });
  };
}
