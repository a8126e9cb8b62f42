/**
 * Deploy: checks that the approved bundle is ready to serve (loaded by the model server's own
 * loader, answering a smoke query), then registers it as the next model version with its
 * lineage and points the `production` alias at it. A bundle that fails the check is neither
 * registered nor promoted: the activity fails with a non-retryable `ReadinessCheckFailed` and
 * production stays where it was. Keyed by workflow and run ID, so a retried or duplicated
 * attempt never registers two versions.
 */
import { Context } from '@temporalio/activity';
import type { DatasetRef } from '../src/data/types.js';
import type { Metrics } from '../src/model/types.js';
import type { ArtifactRef } from '../src/registry/artifact-store.js';
import type { ApprovalRecord, Tags } from '../src/registry/model-registry.js';
import { checkReadiness } from '../src/serving/readiness.js';
import { bundleLoader } from '../src/serving/registry-loader.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import type { ActivityDeps } from './deps.js';
import { asFailure, workflowOf } from './failure.js';

export interface DeployInput {
  readonly spec: PipelineSpec;
  readonly specHash: string;
  readonly dataset: DatasetRef;
  readonly bundle: ArtifactRef;
  /** The TensorFlow.js backend that trained it (the built-in MLP only). */
  readonly backend?: string;
  readonly metrics: Metrics;
  readonly approval: ApprovalRecord;
  /**
   * The smoke query: one row (e.g. from the test split; only the model's features are used).
   * Default: 0 for numeric features and an unseen category for categorical ones.
   */
  readonly smokeInstance?: Record<string, unknown>;
  /** More lineage (codeVersion, epochs, seeds, …), merged over what deploy records itself. */
  readonly lineage?: Record<string, unknown>;
  /** The data schema the model was trained against. */
  readonly schema?: ArtifactRef;
  /** Statistics of the training data (the drift reference). */
  readonly statistics?: ArtifactRef;
  /** An evaluation or validation report. */
  readonly report?: ArtifactRef;
  readonly tags?: Tags;
}

export interface DeployResult {
  readonly version: number;
  /** The version production pointed to before (what a rollback returns to); null for the first. */
  readonly previousVersion: number | null;
}

export function deployActivity(deps: ActivityDeps) {
  const load = bundleLoader(deps.store);
  return async function deploy(input: DeployInput): Promise<DeployResult> {
    return asFailure(async () => {
      const { workflowId, runId } = workflowOf(Context.current());
      const { spec } = input;
      const smoke = await checkReadiness(load, input.bundle, input.smokeInstance);
      Context.current().log.info('readiness check passed', { instance: smoke.instance, prediction: smoke.prediction });
      const registered = await deps.registry.registerVersion(spec.name, {
        bundle: input.bundle,
        metrics: input.metrics,
        approval: input.approval,
        idempotencyKey: `${workflowId}/${runId}`,
        lineage: {
          hyperparameters: { ...spec.model },
          ...input.lineage,
          dataset: { uri: input.dataset.uri, sha256: input.dataset.sha256, bytes: input.dataset.bytes },
          specHash: input.specHash,
          workflowId,
          runId,
          ...(input.backend ? { backend: input.backend } : {}),
        },
        ...(input.schema ? { schema: input.schema } : {}),
        ...(input.statistics ? { statistics: input.statistics } : {}),
        ...(input.report ? { report: input.report } : {}),
        ...(input.tags ? { tags: input.tags } : {}),
      });
      await deps.registry.setAlias(spec.name, 'production', registered.version, {
        actor: input.approval.reviewer,
        action: 'deploy',
        reason: `deployed by workflow ${workflowId}`,
      });
      // From the history rather than the move, so a retried attempt answers the same.
      const history = (await deps.registry.getModel(spec.name))?.history ?? [];
      const move = [...history].reverse().find((e) => e.alias === 'production' && e.to === registered.version);
      return { version: registered.version, previousVersion: move?.from ?? null };
    });
  };
}

