import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MlopsError } from '../../../src/errors.js';
import { parseBundle, serializeBundle } from '../../../src/model/bundle.js';
import { evaluatePredictor } from '../../../src/model/metrics.js';
import { createPredictor } from '../../../src/model/predictor.js';
import { trainInThread, type EpochProgress } from '../../../src/model/trainer.js';
import { classificationData, classificationSpec, regressionData, regressionSpec, splitAt } from './fixtures.js';
import { useTempDir } from './temp-dir.js';

const inTemp = useTempDir('mlops-trainer-');

describe('trainInThread', () => {
  it('learns a noisy line in a worker thread and reports every epoch with its checkpoint', async () => {
    const spec = regressionSpec();
    const split = splitAt(regressionData(300), 240);
    const seen: EpochProgress[] = [];
    const result = await trainInThread(
      { spec, split, checkpointDir: inTemp('line') },
      {
        onEpoch: async (p) => {
          await stat(p.checkpointFile); // on disk before progress is reported
          seen.push(p);
        },
      },
    );
    expect(result.backend).toBe('wasm');
    expect(result.epochsRun).toBe(10);
    expect(result.resumedFromEpoch).toBe(0);
    expect(seen.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seen.every((p) => p.valLoss !== undefined)).toBe(true);
    const losses = result.bundle.history.map((h) => h.loss);
    expect(losses.at(-1)).toBeLessThan((losses[0] ?? 0) / 5);

    const bundle = parseBundle(serializeBundle(result.bundle));
    const metrics = await evaluatePredictor(createPredictor(bundle), split.test, spec);
    expect(metrics.rmse).toBeLessThan(0.5); // y spans about ±8
    expect(metrics.r2).toBeGreaterThan(0.98);
  });

  it('learns a three-class problem', async () => {
    const spec = classificationSpec();
    const split = splitAt(classificationData(300), 240);
    const result = await trainInThread({ spec, split, checkpointDir: inTemp('bands') });
    expect(result.bundle.classes).toEqual(['high', 'low', 'mid']);
    const losses = result.bundle.history.map((h) => h.loss);
    expect(losses.at(-1)).toBeLessThan(losses[0] ?? 0);
    const metrics = await evaluatePredictor(createPredictor(result.bundle), split.test, spec);
    expect(metrics.accuracy).toBeGreaterThan(0.8);
  });

  it('adapts the default batch size to a small dataset (344 rows, as the penguins data) instead of refusing it', async () => {
    const spec = regressionSpec({ batchSize: undefined, epochs: 2 });
    const split = splitAt(regressionData(344), 275);
    const result = await trainInThread({ spec, split, checkpointDir: inTemp('default-batch') });
    expect(result.rows.fit).toBeLessThan(256);
    expect(result.batchSize).toBe(result.rows.fit);
    expect(result.epochsRun).toBe(2);
  });

  it('keeps the default batch size of 256 when the data has more rows', async () => {
    const spec = regressionSpec({ batchSize: undefined, epochs: 1 });
    const result = await trainInThread({ spec, split: splitAt(regressionData(700), 600), checkpointDir: inTemp('default-batch-big') });
    expect(result.batchSize).toBe(256);
  });

  it('rejects a batch size larger than the training rows before starting a thread', async () => {
    const spec = regressionSpec({ batchSize: 64 });
    const run = trainInThread({ spec, split: splitAt(regressionData(60), 50), checkpointDir: inTemp('small') });
    await expect(run).rejects.toThrowError(
      'model.batchSize (64) is larger than the 45 rows training fits on (50 training rows, 5 held out for validation); set model.batchSize to 45 or less, or provide more data',
    );
    await expect(run).rejects.toBeInstanceOf(MlopsError);
  });
});
