/**
 * The first step of every workflow: validate the spec (activities/prepare-spec.ts).
 *
 * Validation is short, local work, so since 0.2.0 it runs as a local activity in the worker that
 * runs the workflow: no task-queue round trip, and the workflow carries on in the same workflow
 * task (bench/orchestration.bench.ts). Histories recorded by 0.1.0, where it was a regular
 * activity, replay that path: the choice is guarded by `patched`.
 */
import { ActivityFailure, ApplicationFailure, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { MlopsActivities } from '../activities/index.js';
import type { PreparedSpec } from '../activities/prepare-spec.js';
import { activityRetry as retry } from './retry.js';
import { stepOptions } from './step-options.js';

type Prepare = Pick<MlopsActivities, 'prepareSpec'>;

const local = proxyLocalActivities<Prepare>({ startToCloseTimeout: '1 minute', retry });
const remote = proxyActivities<Prepare>(stepOptions);

export async function prepareSpec(input: unknown): Promise<PreparedSpec> {
  if (!patched('prepare-spec-locally')) return remote.prepareSpec(input);
  try {
    return await local.prepareSpec(input);
  } catch (err) {
    // A local activity's failure arrives bare; wrap it as a regular activity's failure arrives,
    // so workflows and clients see one shape (the failure's cause names what is wrong).
    if (err instanceof ApplicationFailure) throw new ActivityFailure('Activity task failed', 'prepareSpec', undefined, err.nonRetryable ? 'NON_RETRYABLE_FAILURE' : 'MAXIMUM_ATTEMPTS_REACHED', undefined, err);
    throw err;
  }
}
