/**
 * A notification: what happened to a model, sent to the receivers named in the spec's `notify`
 * section. The payload's shape is a contract (design.md, "The team's view").
 */

/** The events a receiver can subscribe to. */
export const notificationEvents = ['awaiting-approval', 'deployed', 'rejected', 'failed', 'drift', 'decay', 'rollback'] as const;
export type NotificationEvent = (typeof notificationEvents)[number];

/** The body of a `format: json` delivery. */
export interface Notification {
  /** The delivery id: fixed before the first attempt, the same on every retry (X-Mlops-Delivery). */
  readonly id: string;
  readonly event: NotificationEvent;
  readonly model: string;
  /** The version concerned (deployed, rolled back to, in production); null when none. */
  readonly version: number | null;
  readonly workflowId: string;
  readonly runId: string;
  /** ISO-8601 time of the event (workflow clock). */
  readonly at: string;
  /** Event-specific facts: metrics, reasons, reviewer, drift share, the approve command. */
  readonly details: Record<string, unknown>;
}

/** One receiver from the spec's `notify` list. */
export interface NotifyTarget {
  readonly url: string;
  readonly events: readonly NotificationEvent[];
  /** Names the worker's environment variable that holds the HMAC key; the key never enters the spec or history. */
  readonly secretEnv?: string;
  readonly format: 'json' | 'slack';
}
