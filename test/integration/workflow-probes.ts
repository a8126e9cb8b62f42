/** Polling a workflow from a test: wait for a condition, read the train activity's result from the history. */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TrainResult } from '../../activities/train.js';

/** Polls `probe` every 100 ms until it returns a value; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The train activity's result, from the workflow's history; throws while it has not completed. */
export async function trainResult(handle: WorkflowHandle): Promise<TrainResult> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduledId = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'train')?.eventId;
  const completed = events.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduledId));
  const payload = completed?.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
  if (!payload) throw new Error('the train activity did not complete');
  return defaultPayloadConverter.fromPayload<TrainResult>(payload);
}
