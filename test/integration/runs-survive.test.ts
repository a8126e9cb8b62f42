import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/registry/run-record.js';
import { parseSpec } from '../../src/spec/parse.js';
import { startTrainingPipeline } from '../../src/temporal/pipeline-client.js';
import { startHarness, taxiSpec, type Harness } from './harness.js';
import { runMlops } from './run-mlops.js';

/** Runs outlive Temporal's retention: with the workflow histories deleted, `mlops runs` still lists them. */
describe('run records after the history is gone', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('it-runs-survive');
  });
  afterAll(async () => h?.close());

  it('lists a deployed and a failed run whose histories were deleted', async () => {
    const good = parseSpec(taxiSpec(h, { name: 'taxi-gone', approval: { mode: 'auto' } }), 'test');
    const bad = { ...good, data: { ...good.data, features: [{ name: 'no_such_column', type: 'numeric' as const }] } };
    const handles = await Promise.all([good, bad].map((spec) => startTrainingPipeline(h.client, spec, { taskQueue: h.config.taskQueue })));
    await Promise.all(handles.map((handle) => handle.result().catch(() => undefined)));

    for (const handle of handles) {
      await h.client.workflowService.deleteWorkflowExecution({ namespace: h.config.namespace, workflowExecution: { workflowId: handle.workflowId } });
    }
    for (const handle of handles) await until(() => handle.describe().then(() => false, (err: unknown) => err instanceof WorkflowNotFoundError));

    const env = { ...process.env, MLOPS_HOME: h.config.home, MLOPS_REGISTRY: '', MLOPS_ARTIFACTS: '' };
    const json = await runMlops(['runs', 'taxi-gone', '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const runs = JSON.parse(json.stdout) as RunRecord[];
    const byId = new Map(runs.map((r) => [r.workflowId, r]));
    expect(byId.get(handles[0]!.workflowId)).toMatchObject({ outcome: 'deployed', version: 1, trainer: 'mlp', metrics: { rmse: expect.any(Number) }, datasetSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(byId.get(handles[1]!.workflowId)).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('no_such_column') });

    const text = await runMlops(['runs', 'taxi-gone'], { env });
    expect(text.stdout).toContain(`${handles[0]!.workflowId}  deployed v1`);
    expect(text.stdout).toContain(`${handles[1]!.workflowId}  failed`);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}
