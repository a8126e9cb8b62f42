/**
 * After each continuousTraining check: keep it in the registry (the console's monitoring over
 * time) and tell the spec's receivers about drift, decay and rollbacks. Neither ever fails the
 * monitor: a record that cannot be written is logged, a delivery runs on its own (./notifier.ts).
 */
import { log, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { MlopsActivities } from '../activities/index.js';
import type { MonitorCheckRecord } from '../src/registry/run-record.js';
import type { MonitorDecision, MonitorStatus } from './monitor-messages.js';
import type { Notify } from './notifier.js';
import { activityRetry } from './retry.js';

const registry = proxyLocalActivities<Pick<MlopsActivities, 'recordMonitorCheck'>>({ startToCloseTimeout: '30 seconds', retry: activityRetry });

/** Records `decision` with what this check measured, then notifies its events. */
export async function reportCheck(model: string, status: MonitorStatus, decision: MonitorDecision, notify: Notify): Promise<void> {
  // Drift and live metrics belong to this check only when it measured them (a check without a window keeps the last ones).
  const drift = status.lastDrift?.at === decision.at ? status.lastDrift : null;
  const { workflowId, runId } = workflowInfo();
  const record: MonitorCheckRecord = {
    model,
    workflowId,
    runId,
    at: decision.at,
    action: decision.action,
    reasons: decision.reasons,
    productionVersion: decision.productionVersion,
    ...(drift ? { drift: { rows: drift.rows, shareDrifted: drift.shareDrifted, datasetDrift: drift.datasetDrift, threshold: status.policy.driftThreshold, features: drift.features, report: drift.report } } : {}),
    ...(drift && status.livePerformance ? { live: status.livePerformance } : {}),
    ...(decision.retrainWorkflowId ? { retrainWorkflowId: decision.retrainWorkflowId, deployedVersion: decision.deployedVersion ?? null } : {}),
  };
  await registry.recordMonitorCheck(record).catch((err: unknown) => {
    log.warn('could not record the monitor check in the registry', { at: decision.at, error: err instanceof Error ? err.message : String(err) });
  });

  const version = decision.productionVersion;
  if (decision.action === 'rollback') await notify('rollback', version, { reason: decision.reasons.join('; ') });
  if (drift?.datasetDrift) {
    await notify('drift', version, { shareDrifted: drift.shareDrifted, drifted: drift.features.filter((f) => f.drifted).map((f) => f.feature), action: decision.action, report: drift.report });
  }
  const decay = decision.reasons.find((r) => r.startsWith('decay:'));
  if (decay) await notify('decay', version, { reason: decay, live: status.livePerformance, action: decision.action });
}
