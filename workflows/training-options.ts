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
    startToCloseTimeout: '12 hours',
    // Training heartbeats every few seconds; a dead worker is noticed within this window and the
    // retry resumes from the last checkpoint.
    heartbeatTimeout: spec.model.heartbeatTimeout ?? defaultTrainingHeartbeatTimeout,
    retry: { ...activityRetry, maximumAttempts: 10 },
    // Cancelling the workflow waits until the training thread stopped and its checkpoints are gone.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    taskQueue,
    summary,
  };
}
