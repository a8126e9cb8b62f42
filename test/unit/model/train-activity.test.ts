import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { MockActivityEnvironment } from '@temporalio/testing';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainActivity, type TrainHeartbeat, type TrainInput, type TrainResult } from '../../../activities/train.js';
import { checkManifest } from '../../../src/model/manifest.js';
import type { PipelineSpec } from '../../../src/spec/schema.js';
import { activityBench, activityEnv, type ActivityBench } from './activity-fixtures.js';
import { classificationSpec, regressionData, regressionSpec, table } from './fixtures.js';

let bench: ActivityBench;
let line: { spec: PipelineSpec; dataset: Awaited<ReturnType<ActivityBench['ingest']>>['dataset'] };
beforeAll(async () => {
  bench = await activityBench();
  line = await bench.ingest(regressionSpec({ epochs: 4 }), regressionData(200));
});
afterAll(async () => bench?.close());

const train = (env: MockActivityEnvironment, input: TrainInput) => env.run(trainActivity(bench.deps), input) as Promise<TrainResult>;
const checkpointDirs = () => readdir(path.join(bench.deps.workDir, 'checkpoints')).catch(() => [] as string[]);

describe('train activity', () => {
  const heartbeats: TrainHeartbeat[] = [];

  it('heartbeats each epoch with a stored checkpoint, returns lineage, and cleans its checkpoint folder', async () => {
    const env = activityEnv();
    env.on('heartbeat', (d: TrainHeartbeat | undefined) => d && heartbeats.push(d));
    const result = await train(env, line);
    // The keep-alive may re-send the last epoch's progress while the model is exported and checked.
    expect([...new Set(heartbeats.map((h) => h.epoch))]).toEqual([1, 2, 3, 4]);
    expect(heartbeats[0]?.checkpoint.uri).toMatch(/\.ckpt\.json$/);
    expect(result).toMatchObject({ backend: 'wasm', epochs: 4, resumedFromEpoch: 0, stoppedEarly: false });
    expect(result.lineage).toMatchObject({
      backend: 'wasm',
      requestedBackend: 'auto',
      codeVersion: { package: expect.stringMatching(/^temporal-mlops@\d+\.\d+\.\d+/) },
      hyperparameters: { hiddenUnits: [8], epochs: 4, batchSize: 16, learningRate: 0.02, seed: 42, optimizer: 'adam', validationSplit: 0.1 },
      training: { epochs: 4, epochsRequested: 4, weightsEpoch: 4, rows: { fit: 144, validation: 16 }, loss: result.loss },
    });
    expect(result.lineage.hyperparameters).not.toHaveProperty('backend');
    const manifest = checkManifest(JSON.parse((await bench.deps.store.readBytes(result.bundle)).toString('utf8')));
    expect(manifest).toMatchObject({ format: 'temporal-mlops/model@2', kind: 'mlp', name: line.spec.name, features: line.spec.data.features, onnx: { uri: expect.stringMatching(/\.onnx$/) } });
    expect(manifest.details?.history).toHaveLength(4);
    expect(manifest.details?.weights).toMatchObject({ uri: expect.stringMatching(/\.weights\.json$/) });
    expect(await checkpointDirs()).toEqual([]);
  });

  it('resumes a retried attempt from the checkpoint in heartbeatDetails', async () => {
    const env = activityEnv({ attempt: 2, heartbeatDetails: heartbeats[1] });
    const epochs: number[] = [];
    env.on('heartbeat', (d: TrainHeartbeat | undefined) => d && epochs.push(d.epoch));
    const result = await train(env, line);
    expect(result.resumedFromEpoch).toBe(2);
    expect(result.epochs).toBe(4);
    // The keep-alive may re-send the resumed-from progress (epoch 2) while a loaded machine boots the thread.
    expect(epochs.filter((e) => e !== 2)).toEqual([3, 4]);
  });

  it('starts over when the checkpoint to resume from is gone', async () => {
    const gone = { ...(heartbeats[1] as TrainHeartbeat), checkpoint: { uri: 'file:///nowhere/x.ckpt.json', sha256: '0'.repeat(64), bytes: 1 } };
    const result = await train(activityEnv({ attempt: 3, heartbeatDetails: gone }), line);
    expect(result.resumedFromEpoch).toBe(0);
    expect(result.epochs).toBe(4);
  });

  it('stops the thread and removes its checkpoints when cancelled', async () => {
    const env = activityEnv({ activityId: 'cancelled' });
    let beats = 0;
    env.on('heartbeat', (d: TrainHeartbeat | undefined) => {
      if (!d) return;
      beats++;
      if (d.epoch === 2) env.cancel();
    });
    const spec = { ...line.spec, model: { ...line.spec.model, epochs: 500 } };
    const cancelledAt = Date.now();
    await expect(train(env, { ...line, spec })).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    expect(await checkpointDirs()).toEqual([]);
    const after = beats;
    await new Promise((r) => setTimeout(r, 300));
    expect(beats).toBe(after); // the thread is gone: no more epochs
  });
});

describe('train activity: bad input fails fast and non-retryably', () => {
  const failure = async (spec: unknown, data = line) => {
    const err = await train(activityEnv(), { ...data, spec: spec as PipelineSpec }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    return err as ApplicationFailure;
  };

  // Out-of-range hyperparameters never get here: prepareSpec refuses them (test/unit/spec/validated-once.test.ts).
  it('rejects an explicit batchSize larger than the rows training fits on', async () => {
    const big = await failure({ ...line.spec, model: { ...line.spec.model, batchSize: 1000 } });
    expect(big.message).toMatch(/model\.batchSize \(1000\) is larger than the 144 rows training fits on/);
  });

  it('rejects a single-class target and class weights on a regression', async () => {
    const spec = classificationSpec({ epochs: 1, batchSize: 2 });
    const oneClass = await bench.ingest(spec, table({ x: [1, 2, 3, 4, 5, 6], shade: ['a', 'b', 'a', 'b', 'a', 'b'], label: ['cat', 'cat', 'cat', 'cat', 'cat', 'cat'] }));
    const err = await failure(oneClass.spec, oneClass);
    expect(err.type).toBe('DataInvalid');
    expect(err.message).toMatch(/target "label" has a single class \(cat\)/);
    const weighted = await failure({ ...line.spec, model: { ...line.spec.model, classWeights: 'balanced' } });
    expect(weighted.type).toBe('SpecInvalid');
    expect(weighted.message).toMatch(/classWeights applies to task: classification/);
  });

  it('reports a diverged run with the epoch and the learning rate, and stores no bundle', async () => {
    const spec = { ...line.spec, model: { ...line.spec.model, hiddenUnits: [64, 64, 64], learningRate: 10, optimizer: 'sgd' as const, epochs: 3 } };
    const err = await failure(spec);
    expect(err.type).toBe('TrainingDiverged');
    expect(err.message).toMatch(/training diverged at epoch 1 .*lower model\.learningRate \(now 10\)/);
  });
});

describe('train activity: model.type', () => {
  it('onnx: a model.uri that names no file fails at once, saying what to fix', async () => {
    const spec: PipelineSpec = { ...line.spec, model: { type: 'onnx', uri: '/nowhere/model.onnx' } };
    const failure = await train(activityEnv(), { ...line, spec }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ModelInvalid', nonRetryable: true, message: expect.stringMatching(/cannot read the ONNX model \/nowhere\/model\.onnx: there is no such file; check the path/) });
  });
});
