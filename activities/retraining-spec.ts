/**
 * The spec a retrain runs on. From files: the original training data plus everything that
 * arrived in the monitoring source ("accumulated data"), read as one DuckDB relation. From the
 * inference log: the production version's training snapshot plus the labelled rows served
 * since it was cut (src/monitoring/retraining-data.ts), passed as a `data.snapshot` artifact
 * reference, so the child pipeline reads it on whichever worker host picks it up.
 */
import { DataEngine } from '../src/data/engine.js';
import { readRelation, resolveDataSource } from '../src/data/source.js';
import { isMlopsError } from '../src/errors.js';
import { snapshotRetrainingData } from '../src/monitoring/retraining-data.js';
import { inferenceLogSource, type PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export function retrainingSpecActivity(deps: ActivityDeps) {
  return async function retrainingSpec(spec: PipelineSpec): Promise<PipelineSpec> {
    return asFailure(async () => (spec.monitoring.source === inferenceLogSource ? fromInferenceLog(deps, spec) : fromFiles(deps, spec)));
  };
}

async function fromInferenceLog(deps: ActivityDeps, spec: PipelineSpec): Promise<PipelineSpec> {
  const production = await deps.registry.resolve(spec.name);
  // No production version yet: the first model trains on the spec's own data.
  if (!production) return spec;
  const data = await snapshotRetrainingData({ spec, store: deps.store, registry: deps.registry, base: production.lineage.dataset, until: new Date() });
  if (!data) {
    deps.logger.warn({ model: spec.name, version: production.version }, 'retraining: no labelled served rows since the production version\'s data was cut; training on the spec\'s data');
    return spec;
  }
  deps.logger.info({ model: spec.name, baseRows: data.baseRows, servedRows: data.servedRows, servedSince: data.servedSince, dataset: data.dataset.uri }, 'retraining: training snapshot plus labelled served rows');
  const { uri, sha256, bytes } = data.dataset;
  return { ...spec, data: { ...spec.data, source: undefined, query: undefined, snapshot: { uri, sha256, bytes } } };
}

async function fromFiles(deps: ActivityDeps, spec: PipelineSpec): Promise<PipelineSpec> {
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
}
