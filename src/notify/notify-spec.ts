/** The spec's `notify` section (zod): who is told about which events, and how. */
import { z } from 'zod';
import { notificationEvents } from './notification.js';

const targetSchema = z.strictObject({
  /** Where deliveries are POSTed: an http(s) URL. */
  url: z.url({ protocol: /^https?$/, error: 'notify[].url must be an http:// or https:// URL, e.g. https://example.com/hooks/mlops' }),
  /** Which events this receiver gets (default: all). */
  events: z.array(z.enum(notificationEvents)).min(1, `notify[].events lists at least one of ${notificationEvents.join(', ')}`).default([...notificationEvents]),
  /** The name of the worker's environment variable holding the HMAC key (never the key itself). */
  secretEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'notify[].secretEnv names an environment variable (e.g. MLOPS_WEBHOOK_SECRET), not the secret itself')
    .optional(),
  /** `json` (the Notification object) or `slack` (an incoming-webhook text message). */
  format: z.enum(['json', 'slack']).default('json'),
});

export const notifySchema = z.array(targetSchema).max(20, 'notify takes at most 20 receivers');
