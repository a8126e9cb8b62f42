/**
 * Sends a workflow's events to the spec's `notify` receivers: one abandoned deliverNotification
 * child per receiver that subscribed to the event. Starting the child is all a pipeline waits
 * for; a failure to start one is logged, never thrown.
 */
import { log, ParentClosePolicy, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { NotificationEvent, NotifyTarget } from '../src/notify/notification.js';
import { workflowNow } from './clock.js';
import { deliverNotification } from './deliver-notification.js';

export type Notify = (event: NotificationEvent, version: number | null, details: Record<string, unknown>) => Promise<void>;

/** A notify function over `targets`; `enabled` false (a history recorded before notifications) sends nothing. */
export function notifier(model: string, targets: readonly NotifyTarget[] | undefined, enabled: boolean): Notify {
  return async (event, version, details) => {
    if (!enabled) return;
    const { workflowId, runId, taskQueue } = workflowInfo();
    for (const target of (targets ?? []).filter((t) => t.events.includes(event))) {
      const id = uuid4();
      const notification = { id, event, model, version, workflowId, runId, at: new Date(workflowNow()).toISOString(), details };
      try {
        await startChild(deliverNotification, {
          args: [{ target, notification }],
          workflowId: `${workflowId}-notify-${id}`,
          taskQueue,
          parentClosePolicy: ParentClosePolicy.ABANDON,
          staticSummary: `notify ${event}`,
        });
      } catch (err) {
        log.warn('could not start a notification delivery', { event, error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
}
