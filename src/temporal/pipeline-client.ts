/** Client-side helpers to start and drive `trainingPipeline`, shared by the CLI, tests and scripts. */
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { PipelineSpecInput } from '../spec/schema.js';
import { approveSignal, rejectSignal, statusQuery, type PipelineStage, type PipelineStatus } from '../../workflows/messages.js';
import type { trainingPipeline } from '../../workflows/training-pipeline.js';

/** A handle on a `trainingPipeline` run. */
export type PipelineHandle = WorkflowHandle<typeof trainingPipeline>;

/** A readable, unique default workflow ID, e.g. `train-taxi-duration-m3k2x1`. */
export function defaultWorkflowId(prefix: string, name: string): string {
  return `${prefix}-${name}-${Date.now().toString(36)}`;
}

/** Where and under which ID a workflow starts. */
export interface StartOptions {
  /** The task queue your Worker polls; default `MLOPS_TASK_QUEUE`, else `mlops`. */
  readonly taskQueue?: string;
  /** Default: a readable unique ID ({@link defaultWorkflowId}). */
  readonly workflowId?: string;
}

/** The task queue a start goes to: the option, else `MLOPS_TASK_QUEUE`, else `mlops`. */
export function taskQueueOf(options: StartOptions): string {
  return options.taskQueue ?? (process.env.MLOPS_TASK_QUEUE || 'mlops');
}

/**
 * Starts `trainingPipeline` with a spec (an object as in a spec file, or one from
 * `loadSpecFile`); the worker validates it. Returns the handle to query, signal and await.
 */
export async function startTrainingPipeline(
  client: Client,
  spec: PipelineSpecInput,
  options: StartOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof trainingPipeline>> {
  return client.workflow.start<typeof trainingPipeline>('trainingPipeline', {
    args: [spec],
    taskQueue: taskQueueOf(options),
    workflowId: options.workflowId ?? defaultWorkflowId('train', spec.name),
    staticSummary: `Train ${spec.name} (${spec.task})`,
    staticDetails: `Data: ${spec.data.source ?? spec.data.query ?? ''}\n\nTarget: ${spec.data.target}; approval: ${spec.approval?.mode ?? 'manual'}`,
  });
}

/** The pipeline's `status` query: its stage, metrics, decision and error. */
export async function pipelineStatus(handle: WorkflowHandle): Promise<PipelineStatus> {
  return handle.query(statusQuery);
}

/** Polls the `status` query until the stage is one of `stages` (or the workflow ends). */
export async function waitForStage(handle: WorkflowHandle, stages: PipelineStage[], timeoutMs = 10 * 60_000): Promise<PipelineStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await pipelineStatus(handle);
    if (stages.includes(status.stage) || status.stage === 'failed') return status;
    if (Date.now() > deadline) throw new Error(`workflow ${handle.workflowId} is still "${status.stage}" after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Approves a deployment waiting in `awaiting-approval` (the `approve` signal). */
export async function approve(handle: WorkflowHandle, reviewer: string, comment?: string): Promise<void> {
  await handle.signal(approveSignal, { reviewer, comment });
}

/** Rejects it (the `reject` signal); `reason` is recorded. */
export async function reject(handle: WorkflowHandle, reviewer: string, reason: string): Promise<void> {
  await handle.signal(rejectSignal, { reviewer, reason });
}
