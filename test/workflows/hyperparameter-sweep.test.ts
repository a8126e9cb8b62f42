/** Every branch of hyperparameterSweep, with stub activities (test/workflows/stub-activities.ts). */
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluateInput } from '../../activities/evaluate.js';
import type { TrainInput } from '../../activities/train.js';
import type { SweepSpecInput } from '../../src/model/model-spec.js';
import type { PipelineSpecInput } from '../../src/spec/schema.js';
import { mlpModel } from '../unit/model/fixtures.js';
import { sweepStatusQuery, type SweepInput, type SweepResult } from '../../workflows/hyperparameter-sweep.js';
import { stubActivities, stubDataset, stubSpec, until, workflowBench, type WorkflowBench } from './stub-activities.js';

let bench: WorkflowBench;
beforeAll(async () => {
  bench = await workflowBench('sweep');
});
afterAll(async () => bench?.close());

let runs = 0;
const grid: SweepSpecInput = { method: 'grid', parameters: { learningRate: [0.1, 0.01, 0.001] } };
const spec = (name: string, extra: Partial<PipelineSpecInput> = {}) => stubSpec(name, { sweep: grid, ...extra });
const start = (input: SweepInput) =>
  bench.client.workflow.start<(input: SweepInput) => Promise<SweepResult>>('hyperparameterSweep', { args: [input], taskQueue: bench.taskQueue, workflowId: `stub-sweep-${input.spec.name}-${Date.now()}-${runs++}` });
/** The objective of a trial: lowest rmse at learning rate 0.01. */
const scoreByLearningRate = async (input: EvaluateInput) => {
  const rmse = Math.abs(Math.log10(mlpModel(input.spec.model).learningRate) + 2) + 1;
  return { ...(await stubActivities().evaluate(input)), evaluatedOn: 'validation' as const, metrics: { rmse }, objective: { metric: 'rmse', value: rmse, direction: 'minimize' as const } };
};

describe.concurrent('hyperparameterSweep', () => {
  it('a grid runs every combination on one ingested snapshot and returns the best, scored on the validation holdout', async () => {
    const stubs = bench.use('grid', { evaluate: scoreByLearningRate });
    const h = await start({ spec: spec('grid') });
    const result = await h.result();
    expect(result.trials.map((t) => [t.trial, t.params, t.status, t.objective])).toEqual([
      [1, { learningRate: 0.1 }, 'completed', 2],
      [2, { learningRate: 0.01 }, 'completed', 1],
      [3, { learningRate: 0.001 }, 'completed', 2],
    ]);
    expect(result).toMatchObject({ model: 'grid', metric: 'rmse', direction: 'minimize', dataset: stubDataset, best: { trial: 2, params: { learningRate: 0.01 }, training: { backend: 'stub' } } });
    expect(mlpModel(result.bestModel).learningRate).toBe(0.01);
    expect(stubs.calls.ingest).toHaveLength(1);
    expect(stubs.calls.validate).toHaveLength(1);
    expect(stubs.calls.evaluate.map(([input]) => [input.on, input.compareChampion, input.report])).toEqual(Array(3).fill(['validation', false, false]));
    expect(await h.query(sweepStatusQuery)).toMatchObject({ stage: 'done', total: 3, completed: 3, failed: 0, best: { trial: 2, objective: 1 } });
  });

  it('a failed trial is reported with its error, and the best of the others wins', async () => {
    bench.use('one-fails', {
      evaluate: scoreByLearningRate,
      train: async (input: TrainInput) => {
        if (mlpModel(input.spec.model).learningRate === 0.01) throw ApplicationFailure.nonRetryable('loss became NaN at epoch 3; lower model.learningRate', 'TrainingFailed');
        return stubActivities().train(input);
      },
    });
    const h = await start({ spec: spec('one-fails') });
    const result = await h.result();
    expect(result.trials[1]).toMatchObject({ trial: 2, status: 'failed', error: 'loss became NaN at epoch 3; lower model.learningRate' });
    expect(result.trials.filter((t) => t.status === 'completed')).toHaveLength(2);
    expect(result.best.trial).toBe(1);
    expect(await h.query(sweepStatusQuery)).toMatchObject({ stage: 'done', completed: 2, failed: 1 });
  });

  it('all trials failing fails the sweep, naming the first error', async () => {
    bench.use('all-fail', {
      train: async () => {
        throw ApplicationFailure.nonRetryable('loss became NaN', 'TrainingFailed');
      },
    });
    const h = await start({ spec: spec('all-fail') });
    const err = await h.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'TrainingFailed', message: 'all 3 trials failed; the first: loss became NaN' });
    expect(await h.query(sweepStatusQuery)).toMatchObject({ stage: 'failed', failed: 3 });
  });

  it('a spec without a sweep section is refused', async () => {
    bench.use('no-sweep');
    const err = await (await start({ spec: stubSpec('no-sweep') })).result().catch((e: unknown) => e);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'SpecInvalid', message: expect.stringMatching(/nothing to sweep/) });
  });

  it('cancelling the sweep cancels the running trial and waits until it stopped (WAIT_CANCELLATION_COMPLETED)', async () => {
    let stopped = false;
    const stubs = bench.use('cancelled', {
      train: async () => {
        const ctx = Context.current();
        // Heartbeats deliver the cancellation; the trial stops only when told to.
        const beat = setInterval(() => ctx.heartbeat(), 100);
        try {
          await new Promise((resolve) => ctx.cancellationSignal.addEventListener('abort', resolve));
          // Stopping takes a moment (a training thread finishing its batch): the sweep must wait for it.
          await new Promise((r) => setTimeout(r, 1_000));
          throw ctx.cancellationSignal.reason;
        } finally {
          clearInterval(beat);
          stopped = true;
        }
      },
    });
    const h = await start({ spec: spec('cancelled', { model: { heartbeatTimeout: '1s' }, sweep: { ...grid, concurrency: 1 } }) });
    await until(() => Promise.resolve(stubs.calls.train?.length ?? 0), (n) => n === 1);
    await h.cancel();
    const err = await h.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(stopped).toBe(true);
    expect(stubs.calls.train).toHaveLength(1);
    expect(stubs.calls.evaluate).toBeUndefined();
  });
});
