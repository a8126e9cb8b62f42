/** The production version a monitor compares against: its training snapshot and evaluation metrics. */
import type { Metrics } from '../src/model/types.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';
import { rollbackReasonPrefix } from './rollback.js';

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
      // Only a forward move is on probation: after a rollback there is nothing to compare with.
      const last = model.history.filter((e) => e.alias === 'production').at(-1);
      const previousVersion = last?.to === entry.version && !last.reason?.startsWith(rollbackReasonPrefix) ? last.from : null;
      return { version: entry.version, previousVersion, dataset: entry.lineage.dataset, metrics: entry.metrics };
    });
  };
}
