import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve, startTrainingPipeline, waitForStage } from '../../src/temporal/pipeline-client.js';
import { parseSpec } from '../../src/spec/parse.js';
import { decideUpdate } from '../../workflows/messages.js';
import { MlopsBlessed, MlopsModelName, MlopsModelVersion, MlopsStage } from '../../workflows/search-attributes.js';
import { startHarness, taxiSpec, type Harness } from './harness.js';

/**
 * trainingPipeline end to end with the real activities: train, approve, deploy, serve; real
 * failures of real steps; search attributes. Each branch of the workflow (reject, auto, timeouts,
 * decide refusals, sweep) is tested with stub activities in test/workflows/training-pipeline.test.ts.
 */
describe('trainingPipeline on a real dev server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('it-pipeline');
  });
  afterAll(async () => h?.close());

  it('waits for approval, deploys on approve, and serves the new version over HTTP', async () => {
    const spec = parseSpec(taxiSpec(h), 'test');
    const handle = await startTrainingPipeline(h.client, spec, { taskQueue: h.config.taskQueue });
    const waiting = await waitForStage(handle, ['awaiting-approval']);
    expect(waiting.stage).toBe('awaiting-approval');
    expect(waiting.metrics?.rmse).toBeGreaterThan(0);
    expect(waiting.decision?.blessed).toBe(true);
    expect(await h.registry.getModel('taxi-duration')).toBeUndefined();

    await approve(handle, 'ana', 'ship it');
    const result = await handle.result();
    expect(result).toMatchObject({ model: 'taxi-duration', version: 1, deployed: true });
    expect(result.decision.approval).toMatchObject({ decision: 'approved', reviewer: 'ana', comment: 'ship it' });

    const model = await h.registry.getModel('taxi-duration');
    expect(model?.aliases.production).toBe(1);
    expect(model?.versions[0]?.approval?.reviewer).toBe('ana');
    expect(model?.versions[0]?.lineage.workflowId).toBe(handle.workflowId);

    const res = await fetch(`${h.serveUrl}/v1/models/taxi-duration:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ trip_distance: 3.2, hour: 8, PULocationID: '132' }, { trip_distance: 12, hour: 17, PULocationID: '7' }] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { predictions: number[] };
    expect(body.predictions).toHaveLength(2);
    expect(body.predictions.every((p) => Number.isFinite(p))).toBe(true);
    // A longer rush-hour trip takes longer than a short one.
    expect(body.predictions[1]).toBeGreaterThan(body.predictions[0] as number);
  });

  it('a missing column fails the workflow with a non-retryable error naming it, registry untouched', async () => {
    const bad = taxiSpec(h, { name: 'taxi-bad' });
    const spec = parseSpec({ ...bad, data: { ...bad.data, features: [{ name: 'no_such_column', type: 'numeric' }] } }, 'test');
    const handle = await startTrainingPipeline(h.client, spec, { taskQueue: h.config.taskQueue });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect((cause as ApplicationFailure).message).toContain('no_such_column');
    expect(await h.registry.getModel('taxi-bad')).toBeUndefined();
  });

  it('an invalid spec sent straight to the workflow fails with the field named', async () => {
    const handle = await h.client.workflow.start('trainingPipeline', {
      args: [{ name: 'Bad Name', task: 'regression', data: { source: '/x', target: 'y', features: [] } }],
      taskQueue: h.config.taskQueue,
      workflowId: `invalid-spec-${Date.now()}`,
    });
    const err = (await handle.result().catch((e: unknown) => e)) as WorkflowFailedError;
    expect(err.cause?.message).toMatch(/name must match/);
    expect(err.cause?.message).toMatch(/data\.features/);
  });

  it('decide validates the reviewer, returns the outcome, and the run is searchable in the UI', async () => {
    const spec = parseSpec(taxiSpec(h, { name: 'taxi-decide' }), 'test');
    const handle = await startTrainingPipeline(h.client, spec, { taskQueue: h.config.taskQueue });
    await expect(handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: 'x' }] })).rejects.toThrow(/not awaiting approval|Update failed/);
    await waitForStage(handle, ['awaiting-approval']);
    const empty = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: '  ' }] }).catch((e: Error) => e);
    expect(updateError(empty)).toMatch(/reviewer must be a non-empty name/);
    const noReason = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'reject', reviewer: 'ana' }] }).catch((e: Error) => e);
    expect(updateError(noReason)).toMatch(/needs a reason/);

    const outcome = await handle.executeUpdate(decideUpdate, { args: [{ decision: 'approve', reviewer: 'ana', comment: 'via update' }] });
    expect(outcome).toMatchObject({ decision: 'approved', reviewer: 'ana', comment: 'via update' });
    const result = await handle.result();
    expect(result.deployed).toBe(true);
    expect((await h.registry.resolve('taxi-decide'))?.approval).toMatchObject({ reviewer: 'ana', comment: 'via update' });

    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(MlopsStage)).toBe('deployed');
    expect(description.typedSearchAttributes.get(MlopsModelName)).toBe('taxi-decide');
    expect(description.typedSearchAttributes.get(MlopsModelVersion)).toBe(1);
    expect(description.typedSearchAttributes.get(MlopsBlessed)).toBe(true);
  });
});

/** The validator's message, wherever the client put it (on the error or its cause). */
function updateError(err: unknown): string {
  const e = err as Error & { cause?: Error };
  return `${e.message} ${e.cause?.message ?? ''}`;
}
