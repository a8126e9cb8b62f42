/**
 * Turns our named errors into Temporal failures: bad input becomes a non-retryable
 * ApplicationFailure carrying the error's type and message, so the workflow fails at once
 * with a message that says what to fix; anything else stays retryable.
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isMlopsError } from '../src/errors.js';

export async function asFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!isMlopsError(err)) throw err;
    throw ApplicationFailure.create({
      message: err.message,
      type: err.type,
      nonRetryable: !err.retryable,
      details: [err.details],
    });
  }
}

/** The workflow that scheduled this activity; the plugin's activities only run inside workflows. */
export function workflowOf(ctx: Context): { workflowId: string; runId: string } {
  const execution = ctx.info.workflowExecution;
  if (!execution) throw ApplicationFailure.nonRetryable('this activity must be scheduled by a workflow', 'UsageError');
  return execution;
}
