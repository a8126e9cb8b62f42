/** The production version a monitor compares against: its training snapshot and evaluation metrics. */
import type { Metrics } from '../src/model/types.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import { probationBaseline } from '../src/registry/model-registry.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

export interface ProductionReference {
  readonly version: number;
  /** The version production pointed at before this one, if any (for rollback). */
  readonly previousVersion: number | null;
  readonly dataset: ArtifactRef;
  readonly metrics: Metrics;
}

export function productionReferenceActivity(deps: ActivityDeps) {
  return async function productionReference(name: string): Promise<ProductionReference | null> {
    return asFailure(async () => {
      const model = await deps.registry.getModel(name);
      const version = model?.aliases.production;
      const entry = model?.versions.find((v) => v.version === version);
      if (!model || !entry) return null;
      const previousVersion = probationBaseline(model, 'production') ?? null;
      return { version: entry.version, previousVersion, dataset: entry.lineage.dataset, metrics: entry.metrics };
    });
  };
}
