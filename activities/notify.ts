/**
 * deliverWebhook: one signed POST of a notification (src/notify/deliver.ts). The
 * deliverNotification workflow retries it with backoff until the receiver answers 2xx; the key
 * is read here, from the worker's environment, so it never enters the spec or the history.
 */
import { deliver } from '../src/notify/deliver.js';
import type { Notification, NotifyTarget } from '../src/notify/notification.js';
import { asFailure } from './failure.js';

export interface DeliveryInput {
  readonly target: NotifyTarget;
  readonly notification: Notification;
}

export function deliverWebhookActivity() {
  return async function deliverWebhook(input: DeliveryInput): Promise<{ status: number }> {
    return asFailure(async () => ({ status: await deliver(input.target, input.notification) }));
  };
}
