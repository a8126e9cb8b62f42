import { describe, expect, it } from 'vitest';
import { DECAY_PRIOR_ROWS, LARGE_DATA_ROWS, defaultBatchSize, defaultEpochs, effectiveModel, MAX_DEFAULT_EPOCHS, MIN_DEFAULT_EPOCHS } from '../../../src/model/effective-model.js';
import { modelSchema } from '../../../src/model/model-spec.js';
import { mlpModel } from './fixtures.js';

const model = (settings: object = {}) => mlpModel(modelSchema.parse(settings));
const stepsPerEpoch = (rows: number, batch: number) => Math.ceil(rows / batch);

describe('the model settings training uses', () => {
  it('gives small data several gradient steps per epoch and a budget of many epochs, ended by early stopping', () => {
    // iris (108 fitted rows), the penguins data (248), breast_cancer (410): 20 steps in all was the old default.
    for (const rows of [108, 248, 410]) {
      const used = effectiveModel(model(), rows);
      expect(used.batchSize).toBe(32);
      expect(stepsPerEpoch(rows, used.batchSize)).toBeGreaterThanOrEqual(4);
      expect(used.epochs * stepsPerEpoch(rows, used.batchSize)).toBeGreaterThanOrEqual(800);
      expect(used.earlyStopping).toEqual({ patience: Math.ceil(used.epochs / 10), minDelta: 0, restoreBest: true });
    }
    expect(effectiveModel(model(), 108).epochs).toBe(MAX_DEFAULT_EPOCHS);
  });

  it('trains large data as before: 256-row batches, 20 epochs at most, stopping early when the validation loss stalls', () => {
    const used = effectiveModel(model(), 2_700_000);
    expect(used).toMatchObject({ batchSize: 256, epochs: MIN_DEFAULT_EPOCHS, earlyStopping: { patience: 5, minDelta: 0, restoreBest: true } });
  });

  it('grows the batch and shrinks the epoch budget smoothly between the two', () => {
    const sizes = [100, 1_000, 3_000, 10_000, 30_000, 100_000].map((rows) => {
      const batch = defaultBatchSize(rows);
      return { batch, epochs: defaultEpochs(rows, batch) };
    });
    for (let i = 1; i < sizes.length; i++) {
      expect(sizes[i]?.batch).toBeGreaterThanOrEqual(sizes[i - 1]?.batch ?? 0);
      expect(sizes[i]?.epochs).toBeLessThanOrEqual(sizes[i - 1]?.epochs ?? 0);
    }
    expect(defaultBatchSize(10_000)).toBe(156); // 64 steps per epoch
    expect(defaultEpochs(10_000, 156)).toBe(31); // 65 steps × 31 ≈ 2,000
  });

  it('never asks for a batch larger than the rows, nor an empty one', () => {
    expect(defaultBatchSize(20)).toBe(20);
    expect(defaultBatchSize(0)).toBe(1);
    expect(effectiveModel(model(), 7)).toMatchObject({ batchSize: 7, epochs: MAX_DEFAULT_EPOCHS });
  });

  it('decays the hidden weights strongly on small data and next to nothing on large data', () => {
    // diabetes fits 318 rows: without decay a [64, 64] network fits the noise before the 35 held-out rows can tell.
    expect(effectiveModel(model(), 318).weightDecay).toBeCloseTo(DECAY_PRIOR_ROWS / 318);
    expect(effectiveModel(model(), 318).weightDecay).toBeGreaterThan(0.01);
    expect(effectiveModel(model(), LARGE_DATA_ROWS - 1).weightDecay).toBeGreaterThan(0);
    // Large data trains exactly as before: batch 256, 20 epochs, no regularizer.
    expect(effectiveModel(model(), LARGE_DATA_ROWS)).toMatchObject({ batchSize: 256, epochs: 20, weightDecay: 0 });
    expect(effectiveModel(model(), 2_700_000).weightDecay).toBe(0);
    // Set epochs or batch size do not turn it off: it regularizes whatever the budget.
    expect(effectiveModel(model({ epochs: 50, batchSize: 8 }), 318).weightDecay).toBeCloseTo(DECAY_PRIOR_ROWS / 318);
    expect(effectiveModel(model(), 0).weightDecay).toBe(DECAY_PRIOR_ROWS);
  });

  it('uses settings given in the spec exactly', () => {
    expect(effectiveModel(model({ weightDecay: 0 }), 318).weightDecay).toBe(0);
    expect(effectiveModel(model({ weightDecay: 0.003 }), 2_700_000).weightDecay).toBe(0.003);
    const given = { batchSize: 8, epochs: 50, learningRate: 0.01 };
    const used = effectiveModel(model(given), 2_700_000);
    expect(used).toMatchObject(given);
    // Set epochs are a promise: no early stopping unless asked for.
    expect(used.earlyStopping).toBeUndefined();
    expect(effectiveModel(model({ earlyStopping: { patience: 2 } }), 108).earlyStopping).toEqual({ patience: 2, minDelta: 0, restoreBest: true });
    // A set batch size still gets the epoch budget and early stopping for it.
    expect(effectiveModel(model({ batchSize: 108 }), 108)).toMatchObject({ batchSize: 108, epochs: MAX_DEFAULT_EPOCHS, earlyStopping: { patience: 20 } });
  });

  it('leaves early stopping off when no rows are held out to watch', () => {
    const used = effectiveModel(model({ validationSplit: 0 }), 108);
    expect(used.epochs).toBe(MAX_DEFAULT_EPOCHS);
    expect(used.earlyStopping).toBeUndefined();
  });
});
