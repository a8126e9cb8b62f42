/**
 * deliverNotification({ target, notification }): delivers one notification, retrying with
 * backoff until the receiver answers 2xx (for up to a week). Workflows start it as an abandoned
 * child (./notifier.ts), so a receiver that is down never holds up or fails a pipeline, and the
 * delivery outlives the workflow that sent it. The delivery id is fixed in the input, so every
 * attempt carries the same one.
 */
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { MlopsActivities } from '../activities/index.js';
import type { DeliveryInput } from '../activities/notify.js';

/** How long a delivery keeps trying before it gives up. */
export const deliveryDeadline = '7 days';

const delivery = proxyActivities<Pick<MlopsActivities, 'deliverWebhook'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: deliveryDeadline,
  // No attempt limit: the deadline bounds it. 1 s, 2 s, 4 s … then every 5 minutes.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function deliverNotification(input: DeliveryInput): Promise<{ id: string; status: number }> {
  const { notification } = input;
  setCurrentDetails(`**${notification.event}** for ${notification.model} → ${new URL(input.target.url).origin} (delivery ${notification.id})`);
  const { status } = await delivery.deliverWebhook(input);
  return { id: notification.id, status };
}
