/**
 * The running train step's last heartbeat, for `mlops status`: what the trainer reported last
 * (a command's `mlops:progress` object, or the built-in MLP's epoch and losses) and the attempt.
 */
import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { fourDigits } from '../shared/numbers.js';

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;

/** `epoch 3, loss 0.12 (attempt 2, checkpoint of epoch 3)`, or undefined when no train step is running or it reported nothing. */
export function trainingProgressText(pending: readonly PendingActivity[] | null | undefined): string | undefined {
  const train = pending?.find((a) => a.activityType?.name === 'train');
  const payload = train?.heartbeatDetails?.payloads?.[0];
  if (!train || !payload) return undefined;
  let details: Record<string, unknown>;
  try {
    details = defaultPayloadConverter.fromPayload<Record<string, unknown>>(payload) ?? {};
  } catch {
    return undefined;
  }
  // A command reports an object of its own; the MLP's epoch and losses sit at the top level.
  const reported = (typeof details['progress'] === 'object' && details['progress'] !== null ? details['progress'] : details) as Record<string, unknown>;
  const parts = Object.entries(reported)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
    .map(([k, v]) => `${k} ${typeof v === 'number' ? fourDigits(v) : String(v)}`);
  const notes = [(train.attempt ?? 1) > 1 ? `attempt ${train.attempt}` : '', typeof details['checkpointEpoch'] === 'number' ? `checkpoint of epoch ${details['checkpointEpoch']}` : ''].filter(Boolean);
  if (parts.length === 0) return undefined;
  return `${parts.join(', ')}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}
