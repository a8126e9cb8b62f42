/** Monitor drift: reference vs current, per feature (work in progress: the real one lands shortly). */
import type { DatasetRef } from '../src/data/types.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';

export interface FeatureDriftSummary {
  readonly feature: string;
  readonly test: string;
  readonly score: number;
  readonly threshold: number;
  readonly drifted: boolean;
}

export interface DriftSummary {
  readonly features: FeatureDriftSummary[];
  readonly shareDrifted: number;
  readonly datasetDrift: boolean;
  readonly currentRows: number;
  readonly referenceRows: number;
  readonly report?: ArtifactRef;
  readonly warnings: string[];
}

export interface MonitorDriftInput {
  readonly spec: PipelineSpec;
  readonly reference: DatasetRef | ArtifactRef;
  readonly current: { source: string } | DatasetRef;
}

export function monitorDriftActivity(_deps: ActivityDeps) {
  return async function monitorDrift(_input: MonitorDriftInput): Promise<DriftSummary> {
    throw new Error('monitorDrift is not implemented yet');
  };
}
