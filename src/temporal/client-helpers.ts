/**
 * Client helpers for every workflow of the plugin, so a client script names no workflow,
 * signal or query by string. Each takes a `Client` from `@temporalio/client` (connect it as
 * you like, or with `connectClient(loadConfig())`).
 *
 * ```js
 * const handle = await startTrainingPipeline(client, spec, { taskQueue: 'mlops' });
 * await waitForStage(handle, ['awaiting-approval']);
 * await approve(handle, 'ana');
 * const { version } = await handle.result();
 * ```
 */
import type { Client, ScheduleHandle, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { PipelineSpecInput } from '../spec/schema.js';
import type { MonitorPolicy, MonitorStatus } from '../../workflows/monitor-messages.js';
import { monitorStatusQuery, newDataSignal, pauseSignal, resumeSignal, retrainNowSignal, setPolicyUpdate } from '../../workflows/monitor-messages.js';
import type { continuousTraining } from '../../workflows/continuous-training.js';
import { decideUpdate, type ApprovalOutcome, type DecideInput, type PipelineStatus } from '../../workflows/messages.js';
import { sweepStatusQuery, type hyperparameterSweep, type SweepInput, type SweepStatus } from '../../workflows/hyperparameter-sweep.js';
import { defaultWorkflowId, pipelineStatus, taskQueueOf, type StartOptions } from './pipeline-client.js';

export { approve, defaultWorkflowId, pipelineStatus, reject, startTrainingPipeline, waitForStage, type PipelineHandle, type StartOptions } from './pipeline-client.js';

/** A handle on a `continuousTraining` run. */
export type MonitorHandle = WorkflowHandle<typeof continuousTraining>;

/** A handle on a `hyperparameterSweep` run. */
export type SweepHandle = WorkflowHandle<typeof hyperparameterSweep>;

/** The `status` query of a `trainingPipeline` run, by handle or by workflow ID. */
export async function getStatus(client: Client, workflowId: string): Promise<PipelineStatus> {
  return pipelineStatus(client.workflow.getHandle(workflowId));
}

/**
 * Approves or rejects in one call (the `decide` update) and returns the recorded outcome; a
 * run that is not awaiting approval refuses it with a reason.
 */
export async function decide(handle: WorkflowHandle, input: DecideInput): Promise<ApprovalOutcome> {
  return handle.executeUpdate(decideUpdate, { args: [input] });
}

/**
 * Starts `continuousTraining` for a spec (its `monitoring` section says what to watch and how
 * often); the default workflow ID is `monitor-<name>`, so one monitor runs per model.
 */
export async function startContinuousTraining(
  client: Client,
  spec: PipelineSpecInput,
  options: StartOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof continuousTraining>> {
  return client.workflow.start<typeof continuousTraining>('continuousTraining', {
    args: [spec],
    taskQueue: taskQueueOf(options),
    workflowId: options.workflowId ?? `monitor-${spec.name}`,
    staticSummary: `Continuous training of ${spec.name}`,
    staticDetails: `Monitoring ${spec.monitoring?.source ?? '(no source)'} every ${spec.monitoring?.interval ?? '1h'}`,
  });
}

/** The `status` query of a `continuousTraining` run: drift, live performance, decisions. */
export async function getMonitorStatus(handle: WorkflowHandle): Promise<MonitorStatus> {
  return handle.query(monitorStatusQuery);
}

/** Controls of a running `continuousTraining`: pause, resume, retrain now, check new data now, change its policy. */
export const monitorControls = {
  /** Stops checking until resumed. */
  pause: (handle: WorkflowHandle) => handle.signal(pauseSignal),
  /** Checks again at the usual interval. */
  resume: (handle: WorkflowHandle) => handle.signal(resumeSignal),
  /** Retrains at once, whatever drift says. */
  retrainNow: (handle: WorkflowHandle, reason?: string) => handle.signal(retrainNowSignal, { reason }),
  /** New data landed in the monitoring source: checks now. */
  newData: (handle: WorkflowHandle, source?: string) => handle.signal(newDataSignal, { source }),
  /** Changes thresholds or timing; returns the policy in force. */
  setPolicy: (handle: WorkflowHandle, policy: Partial<MonitorPolicy>) => handle.executeUpdate(setPolicyUpdate, { args: [policy] }),
};

/** Options of {@link createRetrainingSchedule}. */
export interface RetrainingScheduleOptions {
  /** How often, e.g. `24h`, `7d` or `30m`. */
  readonly every: string;
  /** Default `retrain-<name>`. */
  readonly scheduleId?: string;
  /** The task queue your Worker polls; default `MLOPS_TASK_QUEUE`, else `mlops`. */
  readonly taskQueue?: string;
}

/**
 * Creates a Temporal Schedule that starts `trainingPipeline` for the spec periodically;
 * a run still going when the next is due makes that one skip (overlap policy SKIP).
 */
export async function createRetrainingSchedule(client: Client, spec: PipelineSpecInput, options: RetrainingScheduleOptions): Promise<ScheduleHandle> {
  return client.schedule.create({
    scheduleId: options.scheduleId ?? `retrain-${spec.name}`,
    spec: { intervals: [{ every: options.every }] },
    policies: { overlap: 'SKIP' },
    action: {
      type: 'startWorkflow',
      workflowType: 'trainingPipeline',
      args: [spec],
      taskQueue: taskQueueOf(options),
      workflowId: defaultWorkflowId('scheduled', spec.name),
    },
  });
}

/** Starts `hyperparameterSweep`: trials of the spec's `sweep` section (or `input.sweep`), best first in the result. */
export async function startHyperparameterSweep(
  client: Client,
  input: SweepInput,
  options: StartOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof hyperparameterSweep>> {
  return client.workflow.start<typeof hyperparameterSweep>('hyperparameterSweep', {
    args: [input],
    taskQueue: taskQueueOf(options),
    workflowId: options.workflowId ?? defaultWorkflowId('sweep', input.spec.name),
    staticSummary: `Sweep ${input.spec.name}`,
  });
}

/** The `status` query of a `hyperparameterSweep` run: its trials so far. */
export async function getSweepStatus(handle: WorkflowHandle): Promise<SweepStatus> {
  return handle.query(sweepStatusQuery);
}
