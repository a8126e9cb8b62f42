/**
 * The demo's later, drifted months through continuousTraining: drift is detected, a retrain
 * starts and waits for approval, is approved by signal, the new version serves, and a forced
 * worse model is rolled back. The loop's other branches (pause, cooldown, decay, retrainNow,
 * continue-as-new, …) are tested with stub activities in test/workflows/continuous-training.test.ts.
 */
import type { WorkflowHandle } from '@temporalio/client';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTrips } from '../../examples/taxi/generate.js';
import { parseSpec } from '../../src/spec/parse.js';
import type { PipelineSpec } from '../../src/spec/schema.js';
import { approve, startTrainingPipeline, waitForStage } from '../../src/temporal/pipeline-client.js';
import { monitorStatusQuery, newDataSignal, setPolicyUpdate, type MonitorStatus } from '../../workflows/monitor-messages.js';
import { startHarness, taxiSpec, type Harness } from './harness.js';

async function until(handle: WorkflowHandle, ok: (s: MonitorStatus) => boolean, what: string, timeoutMs = 120_000): Promise<MonitorStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(monitorStatusQuery);
    if (ok(status)) return status;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function servedVersion(h: Harness, name: string): Promise<string | undefined> {
  const res = await fetch(`${h.serveUrl}/v1/models/${name}`);
  const body = (await res.json()) as { model_version_status?: { version: string }[] };
  return body.model_version_status?.[0]?.version;
}

describe('continuousTraining', () => {
  let h: Harness;
  let spec: PipelineSpec;
  beforeAll(async () => {
    h = await startHarness('it-ct');
    await generateTrips({ outDir: path.join(h.config.home, 'incoming'), months: 2, rowsPerMonth: 1500, seed: 7, startMonth: 4 });
    spec = parseSpec(
      taxiSpec(h, {
        name: 'taxi-ct',
        approval: { mode: 'manual' },
        monitoring: { source: path.join(h.config.home, 'incoming', '*.parquet'), interval: '1h' },
      }),
      'test',
    );
  });
  afterAll(async () => h?.close());

  it('detects drift, retrains behind the approval gate, serves the new version, rolls back a worse one', async () => {
    const first = await startTrainingPipeline(h.client, { ...spec, approval: { ...spec.approval, mode: 'auto' } }, { taskQueue: h.config.taskQueue });
    expect((await first.result()).version).toBe(1);

    const monitor = await h.client.workflow.start('continuousTraining', { args: [spec], taskQueue: h.config.taskQueue, workflowId: `ct-${Date.now()}` });
    await expect(monitor.executeUpdate(setPolicyUpdate, { args: [{ driftThreshold: 7 }] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/driftThreshold is a share of features in \(0, 1\]/) } });
    await expect(monitor.executeUpdate(setPolicyUpdate, { args: [{ interval: 'soon' } as never] })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/"soon" is not a duration: use a number and a unit/) } });
    const policy = await monitor.executeUpdate(setPolicyUpdate, { args: [{ cooldown: '1s' }] });
    expect(policy.cooldown).toBe('1s');

    await monitor.signal(newDataSignal);
    const retraining = await until(monitor, (s) => s.retrainWorkflowId !== null, 'a retrain');
    expect(retraining.stage).toBe('retraining');
    expect(retraining.lastDrift?.datasetDrift).toBe(true);
    expect(retraining.lastDrift?.features.some((f) => f.drifted)).toBe(true);

    const child = h.client.workflow.getHandle(retraining.retrainWorkflowId as string);
    await waitForStage(child, ['awaiting-approval']);
    await approve(child, 'ana', 'drift fix');
    const after = await until(monitor, (s) => s.decisions.some((d) => d.action === 'retrain' && d.deployedVersion === 2), 'the retrain to deploy');
    expect(after.stage).toBe('monitoring');
    await expect.poll(() => servedVersion(h, 'taxi-ct'), { timeout: 5000 }).toBe('2');

    // A worse model reaches production outside the loop; the next check rolls it back.
    const worse = parseSpec({ ...taxiSpec(h, { name: 'taxi-ct' }), model: { hiddenUnits: [2], epochs: 1, batchSize: 512, learningRate: 0.0001 }, approval: { mode: 'auto' } }, 'test');
    expect((await (await startTrainingPipeline(h.client, worse, { taskQueue: h.config.taskQueue })).result()).version).toBe(3);
    await monitor.signal(newDataSignal);
    const rolled = await until(monitor, (s) => s.decisions.some((d) => d.action === 'rollback'), 'a rollback');
    expect(rolled.decisions.at(-1)).toMatchObject({ action: 'rollback', productionVersion: 2 });
    const model = await h.registry.getModel('taxi-ct');
    expect(model?.aliases.production).toBe(2);
    expect(model?.history.at(-1)).toMatchObject({ from: 3, to: 2, actor: 'continuousTraining' });
    await expect.poll(() => servedVersion(h, 'taxi-ct'), { timeout: 5000 }).toBe('2');
    await monitor.terminate('test done');
  });
});
