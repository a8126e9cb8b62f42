/**
 * Deploy: registers the approved bundle as the next model version and points the
 * `production` alias at it. Keyed by workflow and run ID, so a retried or duplicated
 * attempt never registers two versions.
 */
import { Context } from '@temporalio/activity';
import type { DatasetRef } from '../src/data/types.js';
import type { Metrics } from '../src/model/types.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import type { ApprovalRecord } from '../src/registry/model-registry.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure, workflowOf } from './failure.js';

export interface DeployInput {
  readonly spec: PipelineSpec;
  readonly specHash: string;
  readonly dataset: DatasetRef;
  readonly bundle: ArtifactRef;
  readonly backend: string;
  readonly metrics: Metrics;
  readonly approval: ApprovalRecord;
}

export function deployActivity(deps: ActivityDeps) {
  return async function deploy(input: DeployInput): Promise<{ version: number }> {
    return asFailure(async () => {
      const { workflowId, runId } = workflowOf(Context.current());
      const { spec } = input;
      const registered = await deps.registry.registerVersion(spec.name, {
        bundle: input.bundle,
        metrics: input.metrics,
        approval: input.approval,
        idempotencyKey: `${workflowId}/${runId}`,
        lineage: {
          dataset: { uri: input.dataset.uri, sha256: input.dataset.sha256, bytes: input.dataset.bytes },
          specHash: input.specHash,
          workflowId,
          runId,
          backend: input.backend,
          hyperparameters: { ...spec.model },
        },
      });
      const production = await deps.registry.resolve(spec.name, { alias: 'production' });
      if (production?.version !== registered.version) {
        await deps.registry.setAlias(spec.name, 'production', registered.version, input.approval.reviewer, `deployed by workflow ${workflowId}`);
      }
      return { version: registered.version };
    });
  };
}
