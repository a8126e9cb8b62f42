/**
 * A run validates its spec once, in prepareSpec at the workflow's boundary: the activities after
 * it (train, evaluate) take the parsed spec as it is. The activities run here as the pipeline
 * chains them, with real dependencies, counting every parse of the spec schema.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { evaluateActivity, type EvaluateInput, type EvaluationResult } from '../../../activities/evaluate.js';
import { prepareSpecActivity, type PreparedSpec } from '../../../activities/prepare-spec.js';
import { trainActivity, type TrainResult } from '../../../activities/train.js';
import { pipelineSpecSchema, type PipelineSpecInput } from '../../../src/spec/schema.js';
import { activityBench, activityEnv, type ActivityBench } from '../model/activity-fixtures.js';
import { regressionData, regressionSpec } from '../model/fixtures.js';

let bench: ActivityBench;
let input: PipelineSpecInput;
let dataset: Awaited<ReturnType<ActivityBench['ingest']>>['dataset'];
beforeAll(async () => {
  bench = await activityBench();
  const line = await bench.ingest(regressionSpec({ epochs: 2 }), regressionData(120));
  dataset = line.dataset;
  // What the user wrote: defaults left out, so only a parse fills them in.
  input = { name: line.spec.name, task: line.spec.task, data: { source: line.spec.data.source, target: line.spec.data.target, features: line.spec.data.features }, model: { hiddenUnits: [4], epochs: 2, batchSize: 16 } };
});
afterAll(async () => bench?.close());
afterEach(() => vi.restoreAllMocks());

describe('spec validation per run', () => {
  it('parses the spec once: prepareSpec validates, train and evaluate take its result as it is', async () => {
    const parse = vi.spyOn(pipelineSpecSchema, 'safeParse');
    const deps = { ...bench.deps, searchAttributes: false };
    const prepared = (await activityEnv().run(prepareSpecActivity(deps), input)) as PreparedSpec;
    expect(prepared.spec.approval).toEqual({ mode: 'manual', onTimeout: 'reject' });
    const trained = (await activityEnv().run(trainActivity(deps), { spec: prepared.spec, dataset })) as TrainResult;
    const evaluateInput: EvaluateInput = { spec: prepared.spec, dataset, bundle: trained.bundle };
    const evaluation = (await activityEnv().run(evaluateActivity(deps), evaluateInput)) as EvaluationResult;
    expect(evaluation.metrics.rmse).toBeGreaterThan(0);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('prepareSpec refuses a bad spec non-retryably, naming every wrong field', async () => {
    const bad = { ...input, name: 'Bad Name', model: { hiddenUnits: [0], learningRate: -0.1 } };
    const err = await activityEnv().run(prepareSpecActivity({ ...bench.deps, searchAttributes: false }), bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'SpecInvalid', nonRetryable: true });
    expect((err as ApplicationFailure).message).toMatch(/name: name must match.*model\.hiddenUnits\.0: hidden layer sizes must be positive.*model\.learningRate: model\.learningRate must be > 0/);
  });
});
