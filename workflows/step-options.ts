/** How the workflows schedule their short steps (every activity but training, which has its own: training-options.ts). */
import type { ActivityOptions } from '@temporalio/common';
import { activityRetry } from './retry.js';

/**
 * Steps heartbeat while they run (activities/keep-alive.ts). A step whose worker died, or whose
 * result was lost while Temporal was down, is run again after this long without a heartbeat,
 * instead of after the start-to-close timeout.
 */
export const stepHeartbeatTimeout = '1 minute';

export const stepOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: stepHeartbeatTimeout,
  retry: activityRetry,
} satisfies ActivityOptions;
