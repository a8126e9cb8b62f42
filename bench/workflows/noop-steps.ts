/**
 * The orchestration benchmark's baseline: a workflow of `steps` activities that do nothing, so
 * its overhead per step is what Temporal itself (server, SDK, worker) costs on this machine.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface NoopActivities {
  noop(step: number): Promise<number>;
}

const { noop } = proxyActivities<NoopActivities>({ startToCloseTimeout: '1 minute' });

export async function noopSteps(steps: number): Promise<number> {
  let done = 0;
  for (let i = 0; i < steps; i++) done += (await noop(i)) === i ? 1 : 0;
  return done;
}
