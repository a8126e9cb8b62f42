/**
 * Records a pipeline run or sweep trial in the registry as it starts, waits and ends
 * (src/registry/run-record.ts), through a local activity. A record that cannot be written is
 * logged, never thrown: tracking must not fail the run it tracks.
 */
import { CancellationScope, log, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { MlopsActivities } from '../activities/index.js';
import type { RunRecord } from '../src/registry/run-record.js';
import type { PipelineSpec } from '../src/spec/schema.js';
import { workflowNow } from './clock.js';
import type { PipelineStatus } from './messages.js';
import { activityRetry } from './retry.js';

const registry = proxyLocalActivities<Pick<MlopsActivities, 'recordRun'>>({ startToCloseTimeout: '30 seconds', retry: activityRetry });

type Identity = Pick<RunRecord, 'id' | 'kind' | 'model' | 'workflowId' | 'runId' | 'startedAt'> & Partial<Pick<RunRecord, 'trial' | 'parentWorkflowId'>>;

export interface RunTracker {
  /** Saves the record with `change` applied; `endedAt` is set for a final outcome. */
  save(change: Partial<RunRecord>): Promise<void>;
}

/** A tracker for this workflow's own run; `enabled` false (an older history) records nothing. */
export function pipelineTracker(model: string, enabled: boolean): RunTracker {
  const { workflowId, runId, runStartTime } = workflowInfo();
  return tracker({ id: `${workflowId}/${runId}`, kind: 'pipeline', model, workflowId, runId, startedAt: runStartTime.toISOString() }, enabled);
}

/** A tracker for trial `trial` of this sweep, started now. */
export function trialTracker(model: string, trial: number, enabled: boolean): RunTracker {
  const { workflowId, runId, parent } = workflowInfo();
  const identity: Identity = {
    id: `${workflowId}/${runId}/trial-${trial}`,
    kind: 'trial',
    model,
    workflowId,
    runId,
    trial,
    parentWorkflowId: parent?.workflowId ?? workflowId,
    startedAt: new Date(workflowNow()).toISOString(),
  };
  return tracker(identity, enabled);
}

/** What a run record says about the spec: trainer and hyperparameters. */
export function trainerFields(spec: PipelineSpec): Pick<RunRecord, 'trainer' | 'hyperparameters'> {
  const model = spec.model as PipelineSpec['model'] & { type?: string };
  return { trainer: model.type ?? 'mlp', hyperparameters: { ...model } };
}

function tracker(identity: Identity, enabled: boolean): RunTracker {
  let record: RunRecord = { ...identity, outcome: 'running' };
  return {
    async save(change) {
      if (!enabled) return;
      record = { ...record, ...change };
      if (change.outcome && change.outcome !== 'running' && change.outcome !== 'awaiting-approval') record = { ...record, endedAt: new Date(workflowNow()).toISOString() };
      const snapshot = record;
      // Also after a cancellation: the record of a cancelled run says so.
      await CancellationScope.nonCancellable(() => registry.recordRun(snapshot)).catch((err: unknown) => {
        log.warn('could not record the run in the registry', { id: snapshot.id, error: err instanceof Error ? err.message : String(err) });
      });
    },
  };
}

/** The run record's view of a pipeline's status: data, reports, metrics, decision, version, error. */
export function fromPipelineStatus(status: PipelineStatus): Partial<RunRecord> {
  const approval = status.decision?.approval;
  const rejectedBy = status.decision && !status.decision.blessed ? status.decision.reasons.filter((r) => r.startsWith('FAIL')).join('; ') : undefined;
  return {
    ...(status.dataset ? { datasetSha256: status.dataset.sha256 } : {}),
    ...(status.metrics ? { metrics: status.metrics } : {}),
    ...(status.validation?.report || status.report ? { reports: { validation: status.validation?.report, evaluation: status.report?.uri } } : {}),
    ...(approval ? { decision: { decision: approval.decision, reviewer: approval.reviewer, comment: approval.comment, reason: approval.reason, at: approval.at } } : {}),
    ...(status.version !== undefined ? { version: status.version } : {}),
    ...(status.error ? { reason: status.error } : rejectedBy ? { reason: rejectedBy } : approval?.reason ? { reason: approval.reason } : {}),
  };
}
