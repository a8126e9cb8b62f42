/** How every workflow schedules training: the pipeline's own run and each sweep trial alike. */
import type { ActivityOptions } from '@temporalio/common';
import { ActivityCancellationType } from '@temporalio/workflow';
import type { PipelineSpec } from '../src/spec/schema.js';
import { activityRetry } from './retry.js';

/** How soon a dead training worker is noticed (unless `model.heartbeatTimeout` says otherwise). */
export const defaultTrainingHeartbeatTimeout = '2 minutes';

/** Activity options of a `train` step on `taskQueue` (undefined: the workflow's own queue). */
export function trainingActivityOptions(spec: PipelineSpec, taskQueue: string | undefined, summary: string): ActivityOptions {
  return {
    // A command's own `model.timeout`; the MLP checkpoints and may take long.
    startToCloseTimeout: spec.model.type === 'command' ? spec.model.timeout : '12 hours',
    // Training heartbeats every few seconds; a dead worker is noticed within this window and the
    // retry resumes from the last checkpoint.
    heartbeatTimeout: (spec.model.type === 'onnx' ? undefined : spec.model.heartbeatTimeout) ?? defaultTrainingHeartbeatTimeout,
    retry: { ...activityRetry, maximumAttempts: 10 },
    // Cancelling the workflow waits until the training thread stopped and its checkpoints are gone.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    taskQueue,
    summary,
  };
}

/** What the train step does, in words: the stage details and the activity summary. */
export function trainingDescription(spec: PipelineSpec): { details: string; summary: string } {
  const model = spec.model;
  switch (model.type) {
    case 'command':
      return { details: `running ${model.command.join(' ')}`, summary: `train ${spec.name} (${model.command.join(' ')})` };
    case 'onnx':
      return { details: `importing the ONNX model ${model.uri}`, summary: `import ${spec.name} (onnx)` };
    default:
      return { details: `${model.epochs} epochs of an MLP ${JSON.stringify(model.hiddenUnits)}`, summary: `train ${spec.name} (${model.epochs} epochs)` };
  }
}
