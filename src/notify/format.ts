/** The request body of a delivery in the receiver's format: the Notification itself, or a Slack message. */
import type { Notification, NotifyTarget } from './notification.js';

export function deliveryBody(notification: Notification, format: NotifyTarget['format']): string {
  return JSON.stringify(format === 'slack' ? { text: slackText(notification) } : notification);
}

const headlines: Record<Notification['event'], (n: Notification) => string> = {
  'awaiting-approval': (n) => `:hourglass: *${n.model}* is waiting for approval`,
  deployed: (n) => `:rocket: *${n.model}* v${n.version} is in production`,
  rejected: (n) => `:no_entry: *${n.model}* was rejected`,
  failed: (n) => `:x: a *${n.model}* pipeline failed`,
  drift: (n) => `:warning: drift in *${n.model}*${n.version === null ? '' : ` (v${n.version})`}`,
  decay: (n) => `:chart_with_downwards_trend: *${n.model}* performs worse live than at evaluation`,
  rollback: (n) => `:rewind: *${n.model}* rolled back to v${n.version}`,
};

/** A readable Slack message: a headline, the details as lines, the workflow. */
export function slackText(n: Notification): string {
  const lines = Object.entries(n.details).map(([key, value]) => `• ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [headlines[n.event](n), ...lines, `workflow \`${n.workflowId}\` at ${n.at}`].join('\n');
}
