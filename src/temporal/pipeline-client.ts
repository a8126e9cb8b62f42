/** Client-side helpers to start and drive `trainingPipeline`, shared by the CLI, tests and scripts. */
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { PipelineSpec } from '../spec/schema.js';
import { approveSignal, rejectSignal, statusQuery, type PipelineStage, type PipelineStatus } from '../../workflows/messages.js';
import type { trainingPipeline } from '../../workflows/training-pipeline.js';

export type PipelineHandle = WorkflowHandle<typeof trainingPipeline>;

/** A readable, unique default workflow ID, e.g. `train-taxi-duration-m3k2x1`. */
export function defaultWorkflowId(prefix: string, name: string): string {
  return `${prefix}-${name}-${Date.now().toString(36)}`;
}

export async function startTrainingPipeline(
  client: Client,
  spec: PipelineSpec,
  options: { taskQueue: string; workflowId?: string },
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof trainingPipeline>> {
  return client.workflow.start<typeof trainingPipeline>('trainingPipeline', {
    args: [spec],
    taskQueue: options.taskQueue,
    workflowId: options.workflowId ?? defaultWorkflowId('train', spec.name),
    staticSummary: `Train ${spec.name} (${spec.task})`,
    staticDetails: `Data: ${spec.data.source ?? spec.data.query ?? ''}\n\nTarget: ${spec.data.target}; approval: ${spec.approval.mode}`,
  });
}

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

export async function approve(handle: WorkflowHandle, reviewer: string, comment?: string): Promise<void> {
  await handle.signal(approveSignal, { reviewer, comment });
}

export async function reject(handle: WorkflowHandle, reviewer: string, reason: string): Promise<void> {
  await handle.signal(rejectSignal, { reviewer, reason });
}
