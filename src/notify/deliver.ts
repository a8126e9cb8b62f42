/**
 * One delivery attempt: sign the body with the key from the worker's environment and POST it.
 * Anything but a 2xx answer is a retryable DeliveryFailed; the caller (the deliverWebhook
 * activity) is retried with backoff, every attempt carrying the same delivery id.
 */
import { MlopsError } from '../errors.js';
import { deliveryBody } from './format.js';
import type { Notification, NotifyTarget } from './notification.js';
import { signDelivery } from './signature.js';

export interface DeliveryOptions {
  /** Where `secretEnv` is looked up (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** One attempt's time limit (default 10 s). */
  readonly timeoutMs?: number;
}

/** POSTs `notification` to `target`; resolves with the receiver's status, throws DeliveryFailed otherwise. */
export async function deliver(target: NotifyTarget, notification: Notification, options: DeliveryOptions = {}): Promise<number> {
  const body = deliveryBody(notification, target.format);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'temporal-mlops',
    'x-mlops-event': notification.event,
    'x-mlops-delivery': notification.id,
    'x-mlops-timestamp': String(timestamp),
  };
  if (target.secretEnv) {
    const secret = (options.env ?? process.env)[target.secretEnv];
    // Retryable: a worker started with the variable set picks the delivery up.
    if (!secret) throw new MlopsError('DeliveryFailed', `the worker's environment has no ${target.secretEnv} (notify[].secretEnv) to sign deliveries to ${origin(target.url)} with; set it and restart the worker`);
    headers['x-mlops-signature'] = signDelivery(secret, timestamp, body);
  }
  const response = await fetch(target.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) }).catch((err: unknown) => {
    throw new MlopsError('DeliveryFailed', `could not reach ${origin(target.url)}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
  });
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) throw new MlopsError('DeliveryFailed', `${origin(target.url)} answered ${response.status} to delivery ${notification.id} (${notification.event}); retrying`);
  return response.status;
}

/** The URL without its path and query, which may hold a token (Slack's webhook URLs do). */
function origin(url: string): string {
  return new URL(url).origin;
}
