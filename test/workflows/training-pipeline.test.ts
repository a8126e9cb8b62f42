/** Every branch of trainingPipeline, with stub activities (test/workflows/stub-activities.ts). */
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluateInput } from '../../activities/evaluate.js';
import type { PipelineSpecInput } from '../../src/spec/schema.js';
import { mlpModel } from '../unit/model/fixtures.js';
import { approveSignal, decideUpdate, rejectSignal, statusQuery, type DecideInput, type PipelineResult } from '../../workflows/messages.js';
import { gate, stubActivities, stubSpec, until, workflowBench, type WorkflowBench } from './stub-activities.js';

let bench: WorkflowBench;
beforeAll(async () => {
  bench = await workflowBench('pipeline');
});
afterAll(async () => bench?.close());

let runs = 0;
function start(spec: PipelineSpecInput): Promise<WorkflowHandle<(spec: PipelineSpecInput) => Promise<PipelineResult>>> {
  return bench.client.workflow.start('trainingPipeline', { args: [spec], taskQueue: bench.taskQueue, workflowId: `stub-pipeline-${spec.name}-${Date.now()}-${runs++}` });
}
const awaitingApproval = (h: WorkflowHandle) => until(() => h.query(statusQuery), (s) => s.stage === 'awaiting-approval');
/** The validator's message of a refused update. */
const refusal = (err: unknown) => (err instanceof WorkflowUpdateFailedError && err.cause instanceof Error ? err.cause.message : String(err));
const notBlessed = { evaluate: async () => ({ ...(await stubActivities().evaluate({} as EvaluateInput)), blessed: false, reasons: ['FAIL rmse 9 > 8'] }) };

describe.concurrent('trainingPipeline', () => {
  it('auto approval: evaluates, deploys and returns the version', async () => {
    const stubs = bench.use('auto');
    const result = await (await start(stubSpec('auto', { approval: { mode: 'auto' } }))).result();
    expect(result).toMatchObject({ model: 'auto', version: 1, deployed: true, metrics: { rmse: 1 }, decision: { blessed: true, approval: { decision: 'auto-approved', reviewer: 'auto' } } });
    expect(stubs.calls.deploy).toHaveLength(1);
    expect(stubs.calls.deploy[0]?.[0]).toMatchObject({ specHash: 'b'.repeat(64), approval: { decision: 'auto-approved', reviewer: 'auto' } });
  });

  it('manual: waits for the approve signal, then deploys with the reviewer recorded', async () => {
    const stubs = bench.use('approved');
    const h = await start(stubSpec('approved'));
    const waiting = await awaitingApproval(h);
    expect(waiting.metrics).toEqual({ rmse: 1 });
    expect(stubs.calls.deploy).toBeUndefined();
    await h.signal(approveSignal, { reviewer: 'ana', comment: 'ok' });
    const result = await h.result();
    expect(result).toMatchObject({ deployed: true, version: 1, decision: { approval: { decision: 'approved', reviewer: 'ana', comment: 'ok' } } });
    expect(stubs.calls.deploy[0]?.[0]).toMatchObject({ approval: { decision: 'approved', reviewer: 'ana' } });
    expect(await h.query(statusQuery)).toMatchObject({ stage: 'deployed', version: 1 });
  });

  it('manual: the reject signal ends the run without deploying', async () => {
    const stubs = bench.use('rejected');
    const h = await start(stubSpec('rejected'));
    await awaitingApproval(h);
    await h.signal(rejectSignal, { reviewer: 'bo', reason: 'not yet' });
    const result = await h.result();
    expect(result).toMatchObject({ deployed: false, version: null, decision: { approval: { decision: 'rejected', reviewer: 'bo', reason: 'not yet' } } });
    expect(stubs.calls.deploy).toBeUndefined();
    expect((await h.query(statusQuery)).stage).toBe('rejected');
  });

  it('decide update: refused before the gate and without a reviewer or reason; the first decision wins', async () => {
    const training = gate();
    const deploying = gate();
    bench.use('decided', {
      train: async (...args) => (await training.promise, stubActivities().train(...args)),
      deploy: async (...args) => (await deploying.promise, stubActivities().deploy(...args)),
    });
    const h = await start(stubSpec('decided'));
    const decide = (input: DecideInput) => h.executeUpdate(decideUpdate, { args: [input] });
    await until(() => h.query(statusQuery), (s) => s.stage === 'training');
    await expect(decide({ decision: 'approve', reviewer: 'ana' })).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(decide({ decision: 'approve', reviewer: 'ana' }).then(() => 'accepted', refusal)).resolves.toMatch(/not awaiting approval/);
    training.open();
    await awaitingApproval(h);
    await expect(decide({ decision: 'approve', reviewer: '  ' }).then(() => 'accepted', refusal)).resolves.toMatch(/reviewer must be a non-empty name/);
    await expect(decide({ decision: 'reject', reviewer: 'bo' }).then(() => 'accepted', refusal)).resolves.toMatch(/a rejection needs a reason/);
    const outcome = await decide({ decision: 'approve', reviewer: 'ana' });
    expect(outcome).toMatchObject({ decision: 'approved', reviewer: 'ana' });
    await until(() => h.query(statusQuery), (s) => s.stage === 'deploying');
    await expect(decide({ decision: 'reject', reviewer: 'bo', reason: 'late' }).then(() => 'accepted', refusal)).resolves.toMatch(/already decided: approved by ana/);
    deploying.open();
    expect(await h.result()).toMatchObject({ deployed: true, decision: { approval: { decision: 'approved', reviewer: 'ana' } } });
  });

  it('approval timeout with onTimeout reject: rejected by "timeout", not deployed', async () => {
    const stubs = bench.use('timeout-reject');
    const result = await (await start(stubSpec('timeout-reject', { approval: { mode: 'manual', timeout: '1s', onTimeout: 'reject' } }))).result();
    expect(result).toMatchObject({ deployed: false, decision: { approval: { decision: 'rejected', reviewer: 'timeout', reason: 'no decision within 1s' } } });
    expect(stubs.calls.deploy).toBeUndefined();
  });

  it('approval timeout with approve-if-blessed: a blessed model is deployed', async () => {
    bench.use('timeout-approve');
    const result = await (await start(stubSpec('timeout-approve', { approval: { mode: 'manual', timeout: '1s', onTimeout: 'approve-if-blessed' } }))).result();
    expect(result).toMatchObject({ deployed: true, version: 1, decision: { approval: { decision: 'auto-approved', reviewer: 'timeout' } } });
  });

  it('approve-if-blessed with a model evaluation did not bless: rejected at evaluation, the gate never opens', async () => {
    const stubs = bench.use('timeout-unblessed', notBlessed);
    const h = await start(stubSpec('timeout-unblessed', { approval: { mode: 'manual', timeout: '1s', onTimeout: 'approve-if-blessed' } }));
    const result = await h.result();
    expect(result).toMatchObject({ deployed: false, version: null, decision: { blessed: false, reasons: ['FAIL rmse 9 > 8'] } });
    expect(result.decision.approval).toBeUndefined();
    expect(stubs.calls.deploy).toBeUndefined();
  });

  it('not blessed (auto mode): not deployed, stage rejected with the failing reason', async () => {
    const stubs = bench.use('unblessed', notBlessed);
    const h = await start(stubSpec('unblessed', { approval: { mode: 'auto' } }));
    expect(await h.result()).toMatchObject({ deployed: false, decision: { blessed: false } });
    expect(await h.query(statusQuery)).toMatchObject({ stage: 'rejected', decision: { blessed: false } });
    expect(stubs.calls.deploy).toBeUndefined();
  });

  it('a step failing non-retryably fails the run with its message and type; stage failed', async () => {
    const stubs = bench.use('failing', {
      validate: async () => {
        throw ApplicationFailure.nonRetryable('column "nope" is not in the data; fix data.features', 'DataInvalid');
      },
    });
    const h = await start(stubSpec('failing', { approval: { mode: 'auto' } }));
    const err = await h.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'DataInvalid', message: 'column "nope" is not in the data; fix data.features' });
    expect(await h.query(statusQuery)).toMatchObject({ stage: 'failed', error: expect.stringContaining('column "nope" is not in the data') });
    expect(stubs.calls.validate).toHaveLength(1);
    expect(stubs.calls.train).toBeUndefined();
  });

  it('a spec with a sweep trains its winner in a child sweep and deploys it; the spec is validated once', async () => {
    const stubs = bench.use('swept', {
      // Wider networks score better here, so the [16] trial wins.
      evaluate: async (input) => {
        const rmse = 10 / (mlpModel(input.spec.model).hiddenUnits[0] ?? 1);
        return { ...(await stubActivities().evaluate(input)), metrics: { rmse }, objective: { metric: 'rmse', value: rmse, direction: 'minimize' } };
      },
    });
    const spec = stubSpec('swept', { approval: { mode: 'auto' }, sweep: { method: 'grid', parameters: { hiddenUnits: [[4], [16], [8]] } } });
    const h = await start(spec);
    const result = await h.result();
    expect(result).toMatchObject({ deployed: true, version: 1 });
    expect(await h.query(statusQuery)).toMatchObject({ sweep: { trials: 3, best: 2, params: { hiddenUnits: [16] }, metric: 'rmse', objective: 10 / 16 } });
    expect(stubs.calls.train.map(([input]) => mlpModel(input.spec.model).hiddenUnits)).toEqual([[4], [16], [8]]);
    expect(mlpModel(stubs.calls.deploy[0]![0].spec.model).hiddenUnits).toEqual([16]);
    // The pipeline ingested once and validated the spec once; the child took both as they were.
    expect(stubs.calls.ingest).toHaveLength(1);
    expect(stubs.calls.prepareSpec).toHaveLength(1);
  });
});
