/**
 * Monitor drift: compares a current dataset (a monitoring window, the serving log) with a
 * reference (the production model's training snapshot) feature by feature, stores an HTML
 * report and returns a small summary. A source that vanished or an empty window is not an
 * error for a long-running monitor: the summary says `currentRows: 0` with a warning.
 */
import { computeDrift, emptyDriftResult, specDriftFeatures, type DriftResult } from '../src/data/drift.js';
import type { DriftTest } from '../src/data/drift-tests.js';
import type { DatasetRef } from '../src/data/types.js';
import { isMlopsError } from '../src/errors.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import { renderDriftReport } from '../src/report/drift-report.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure } from './failure.js';

/** One feature's verdict. */
export interface FeatureDriftSummary {
  readonly feature: string;
  readonly test: DriftTest;
  /** p-value (ks, chisquare) or distance (wasserstein, jensenshannon, psi); always reported. */
  readonly score: number;
  readonly threshold: number;
  readonly drifted: boolean;
}

/** What monitorDrift returns: small enough for workflow history. */
export interface DriftSummary {
  readonly features: FeatureDriftSummary[];
  /** Features that could not be tested (missing column, no values); they count as drifted. */
  readonly untested: { readonly feature: string; readonly reason: string }[];
  readonly driftedCount: number;
  /** Drifted features over all features (0 when nothing was compared). */
  readonly shareDrifted: number;
  /** `shareDrifted ≥ monitoring.drift.threshold`. */
  readonly datasetDrift: boolean;
  readonly shareThreshold: number;
  readonly referenceRows: number;
  readonly currentRows: number;
  /** The HTML report (`.drift.html`); absent when the current source could not be found. */
  readonly report?: ArtifactRef;
  readonly warnings: string[];
  /** One line for people, e.g. `2 of 6 features drifted (33%); dataset drift`. */
  readonly summary: string;
}

export interface MonitorDriftInput {
  readonly spec: PipelineSpec;
  /** The reference snapshot (Parquet in the artifact store). */
  readonly reference: DatasetRef | ArtifactRef;
  /** The current data: a snapshot, or a file, directory or glob (relative to the worker's base dir). */
  readonly current: { readonly source: string } | DatasetRef;
}

export function monitorDriftActivity(deps: ActivityDeps) {
  return async function monitorDrift(input: MonitorDriftInput): Promise<DriftSummary> {
    return asFailure(async () => {
      const { spec } = input;
      const reference = await deps.store.localPath(input.reference);
      const fromSource = 'source' in input.current;
      const current = 'source' in input.current ? input.current.source : await deps.store.localPath(input.current);
      let result: DriftResult;
      try {
        result = await computeDrift({ reference, current, baseDir: deps.baseDir, features: specDriftFeatures(spec), settings: spec.monitoring.drift });
      } catch (err) {
        if (fromSource && isMlopsError(err) && err.type === 'DataNotFound') return toSummary(emptyDriftResult(0, 0, err.message, spec.monitoring.drift));
        throw err;
      }
      const currentLabel = 'source' in input.current ? input.current.source : `snapshot ${input.current.sha256.slice(0, 12)}`;
      const html = renderDriftReport({ result, reference: `training snapshot ${input.reference.sha256.slice(0, 12)}`, current: currentLabel, at: new Date().toISOString() });
      const report = await deps.store.putBytes(html, '.drift.html');
      deps.logger.info({ model: spec.name, shareDrifted: result.shareDrifted, datasetDrift: result.datasetDrift, report: report.uri }, `drift: ${summarizeDrift(result)}`);
      return toSummary(result, report);
    });
  };
}

/** E.g. `2 of 6 features drifted (33%): trip_distance, weekday; dataset drift`. */
export function summarizeDrift(result: Pick<DriftResult, 'features' | 'untested' | 'driftedCount' | 'shareDrifted' | 'datasetDrift' | 'currentRows'>): string {
  if (result.currentRows === 0) return 'no current rows; nothing compared';
  const total = result.features.length + result.untested.length;
  const names = [...result.features.filter((f) => f.drifted).map((f) => f.feature), ...result.untested.map((u) => u.feature)];
  const which = names.length > 0 ? `: ${names.join(', ')}` : '';
  return `${result.driftedCount} of ${total} features drifted (${Math.round(100 * result.shareDrifted)}%)${which}; ${result.datasetDrift ? 'dataset drift' : 'no dataset drift'}`;
}

/** The result without chart data, plus the report and a one-line summary. */
function toSummary(result: DriftResult, report?: ArtifactRef): DriftSummary {
  return {
    features: result.features.map((f) => ({ feature: f.feature, test: f.test, score: f.score, threshold: f.threshold, drifted: f.drifted })),
    untested: result.untested,
    driftedCount: result.driftedCount,
    shareDrifted: result.shareDrifted,
    datasetDrift: result.datasetDrift,
    shareThreshold: result.shareThreshold,
    referenceRows: result.referenceRows,
    currentRows: result.currentRows,
    ...(report ? { report } : {}),
    warnings: result.warnings,
    summary: summarizeDrift(result),
  };
}
