/** How workflows write numbers and failures into their status and the Web UI's details. */
import { ActivityFailure } from '@temporalio/workflow';

export { fourDigits } from '../src/shared/numbers.js';

/** A failure's reason: for an activity's failure, its cause (the activity's own message). */
export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
