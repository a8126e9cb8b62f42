import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec/parse.js';
import { approve, startTrainingPipeline, waitForStage } from '../../src/temporal/pipeline-client.js';
import { startWebhookReceiver, type WebhookReceiver } from '../services/webhook-receiver.js';
import { startHarness, taxiSpec, type Harness } from './harness.js';

const secretEnv = 'MLOPS_TEST_WEBHOOK_SECRET';
const secret = 'a-test-key-that-only-the-worker-knows';

/**
 * Notifications on a real pipeline: signed deliveries from the worker, retried with the same
 * delivery id until the receiver answers 2xx, and a pipeline that never waits for a receiver
 * that is down. Run records are checked along the way.
 */
describe('notifications and run records', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    process.env[secretEnv] = secret; // the in-process worker's environment
    h = await startHarness('it-notify');
    receiver = await startWebhookReceiver(secret, { failFirst: 2 });
  });
  afterAll(async () => {
    await receiver?.close();
    await h?.close();
  });

  it('signs every attempt, retries with one delivery id, and delivers each event once; the run is recorded', async () => {
    const spec = parseSpec(taxiSpec(h, { name: 'taxi-notify', notify: [{ url: receiver.url, secretEnv, events: ['awaiting-approval', 'deployed', 'failed'] }] }), 'test');
    const handle = await startTrainingPipeline(h.client, spec, { taskQueue: h.config.taskQueue });
    await waitForStage(handle, ['awaiting-approval']);
    const waiting = await receiver.waitFor((n) => n.event === 'awaiting-approval' && n.workflowId === handle.workflowId);
    expect(waiting.body).toMatchObject({ model: 'taxi-notify', version: null, runId: handle.firstExecutionRunId, details: { approve: expect.stringContaining(handle.workflowId) } });
    expect(Date.parse(waiting.body.at)).toBeGreaterThan(0);
    const running = (await h.registry.listRuns({ model: 'taxi-notify' }))[0];
    expect(running).toMatchObject({ outcome: 'awaiting-approval', trainer: 'mlp', hyperparameters: { epochs: 3 }, datasetSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    await approve(handle, 'ana', 'ship it');
    expect((await handle.result()).version).toBe(1);
    await receiver.waitFor((n) => n.event === 'deployed' && n.workflowId === handle.workflowId);

    const mine = receiver.attempts.filter((a) => a.body.workflowId === handle.workflowId);
    expect(mine.every((a) => a.signed)).toBe(true);
    for (const id of new Set(mine.map((a) => a.id))) {
      // Two refused attempts, then one accepted, all with the same id.
      expect(mine.filter((a) => a.id === id).map((a) => a.status)).toEqual([503, 503, 204]);
    }
    expect(receiver.accepted().filter((a) => a.body.workflowId === handle.workflowId).map((a) => a.event)).toEqual(['awaiting-approval', 'deployed']);

    const [run] = await h.registry.listRuns({ model: 'taxi-notify' });
    expect(run).toMatchObject({
      id: `${handle.workflowId}/${handle.firstExecutionRunId}`,
      outcome: 'deployed',
      version: 1,
      metrics: { rmse: expect.any(Number) },
      reports: { evaluation: expect.stringMatching(/\.html$/), validation: expect.stringMatching(/\.html$/) },
      decision: { decision: 'approved', reviewer: 'ana', comment: 'ship it' },
    });
    expect(Date.parse(run!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(run!.startedAt));
  });

  it('a pipeline whose receiver is down still deploys; the receiver gets the event when it is back', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hooks/mlops`;
    const spec = parseSpec(taxiSpec(h, { name: 'taxi-down', approval: { mode: 'auto' }, notify: [{ url, secretEnv, events: ['deployed'] }] }), 'test');
    const handle = await startTrainingPipeline(h.client, spec, { taskQueue: h.config.taskQueue });
    expect(await handle.result()).toMatchObject({ deployed: true, version: 1 });

    // The delivery lives on as its own workflow, retrying.
    const child = h.client.workflow.getHandle(await deliveryWorkflowOf(h, handle.workflowId));
    await until(async () => ((await child.describe()).raw.pendingActivities?.[0]?.attempt ?? 0) >= 2);
    expect((await child.describe()).status.name).toBe('RUNNING');

    const back = await startWebhookReceiver(secret, { port });
    try {
      const delivered = await back.waitFor((n) => n.event === 'deployed' && n.workflowId === handle.workflowId, 60_000);
      expect(delivered.body).toMatchObject({ model: 'taxi-down', version: 1 });
      expect(await child.result()).toMatchObject({ id: delivered.id, status: 204 });
    } finally {
      await back.close();
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** The ID of the deliverNotification child a pipeline started (its IDs start with the pipeline's). */
async function deliveryWorkflowOf(h: Harness, workflowId: string): Promise<string> {
  let found: string | undefined;
  await until(async () => {
    for await (const w of h.client.workflow.list({ query: `WorkflowType = 'deliverNotification'` })) if (w.workflowId.startsWith(`${workflowId}-notify-`)) found = w.workflowId;
    return found !== undefined;
  });
  return found as string;
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}
