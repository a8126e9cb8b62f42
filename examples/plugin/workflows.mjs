// Your own workflows: the Worker runs them beside the plugin's.
import { proxyActivities } from '@temporalio/workflow';

const { greet } = proxyActivities({ startToCloseTimeout: '1 minute' });

export async function greeting(name) {
  return await greet(name);
}
