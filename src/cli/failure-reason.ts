/**
 * The one line a failed command prints. Temporal wraps the real reason ("column x is not in
 * the data …") in generic failures ("Workflow execution failed", "Activity task failed"), so
 * take the innermost message.
 */
import { ActivityFailure, ChildWorkflowFailure, WorkflowFailedError } from '@temporalio/client';
import { errorMessage } from '../errors.js';

export function failureReason(err: unknown): string {
  let current: unknown = err;
  while (
    (current instanceof WorkflowFailedError || current instanceof ActivityFailure || current instanceof ChildWorkflowFailure) &&
    current.cause
  ) {
    current = current.cause;
  }
  return errorMessage(current).split('\n')[0] ?? '';
}
