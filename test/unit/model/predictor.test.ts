import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/model/backend.js';
import { encodeFeatures } from '../../../src/model/preprocess.js';
import { createPredictor } from '../../../src/model/predictor.js';
import type { PipelineSpec } from '../../../src/spec/schema.js';
import type { TabularData } from '../../../src/data/types.js';
import { classificationData, classificationSpec, regressionData, regressionSpec, table } from './fixtures.js';
import { randomInstances, trainedLikeModel } from './model-fixtures.js';

/** The tfjs reference: the same encoded rows through model.predict. */
function tfjsOutputs(spec: PipelineSpec, train: TabularData, instances: Record<string, unknown>[]) {
  const { model, bundle } = trainedLikeModel(spec, train);
  const x = encodeFeatures(bundle.preprocessing, instances);
  const out = tf.tidy(() => (model.predict(tf.tensor2d(x, [instances.length, bundle.preprocessing.width])) as tf.Tensor).arraySync() as number[][]);
  return { bundle, out };
}

describe('createPredictor', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('matches tfjs model.predict for regression (de-standardized)', () => {
    const spec = regressionSpec({ hiddenUnits: [16, 8] });
    const instances = randomInstances(64, 'color', ['red', 'green', 'blue', 'purple', null]);
    const { bundle, out } = tfjsOutputs(spec, regressionData(50), instances);
    const target = bundle.preprocessing.target as { mean: number; std: number };
    const predictions = createPredictor(bundle).predict(instances) as number[];
    predictions.forEach((p, i) => expect(Math.abs((p - target.mean) / target.std - (out[i]?.[0] ?? NaN))).toBeLessThan(1e-5));
  });

  it('matches tfjs for a softmax classifier and labels the most probable class', () => {
    const spec = classificationSpec({ hiddenUnits: [12] });
    const instances = randomInstances(64, 'shade', ['light', 'dark', 'grey', null]);
    const { bundle, out } = tfjsOutputs(spec, classificationData(50), instances);
    const predictions = createPredictor(bundle).predict(instances);
    predictions.forEach((p, i) => {
      if (typeof p === 'number') throw new Error('expected a classification');
      const probs = bundle.classes?.map((c) => p.probabilities[c] ?? NaN) ?? [];
      probs.forEach((q, j) => expect(Math.abs(q - (out[i]?.[j] ?? NaN))).toBeLessThan(1e-5));
      expect(p.label).toBe(bundle.classes?.[probs.indexOf(Math.max(...probs))]);
    });
  });

  it('matches tfjs for a binary (sigmoid) classifier', () => {
    const spec = classificationSpec({ hiddenUnits: [6] });
    const train = table({ x: [1, 2, 3, 4], shade: ['light', 'dark', 'light', 'dark'], label: ['no', 'yes', 'no', 'yes'] });
    const instances = randomInstances(32, 'shade', ['light', 'dark', null]);
    const { bundle, out } = tfjsOutputs(spec, train, instances);
    const predictions = createPredictor(bundle).predict(instances);
    predictions.forEach((p, i) => {
      if (typeof p === 'number') throw new Error('expected a classification');
      expect(Math.abs((p.probabilities.yes ?? NaN) - (out[i]?.[0] ?? NaN))).toBeLessThan(1e-5);
      expect((p.probabilities.yes ?? 0) + (p.probabilities.no ?? 0)).toBeCloseTo(1, 6);
      expect(p.label).toBe((p.probabilities.yes ?? 0) > 0.5 ? 'yes' : 'no');
    });
  });

  it('overflows to Infinity where tfjs float32 would, not to a huge finite number', () => {
    const { bundle } = trainedLikeModel(regressionSpec({ hiddenUnits: [4] }), regressionData(20));
    const huge = { ...bundle, layers: bundle.layers.map((l) => ({ ...l, kernel: l.kernel.map(() => 3e38), bias: l.bias.map(() => 3e38) })) };
    const [p] = createPredictor(huge).predict([{ x: 1, color: 'red' }]) as number[];
    expect(p).toBe(Infinity);
  });

  it('validates instances before predicting', () => {
    const { bundle } = trainedLikeModel(regressionSpec(), regressionData(20));
    expect(() => createPredictor(bundle).predict([{ x: 1 }])).toThrowError('instance 0: missing feature "color"; send every feature of the model: x, color');
  });
});
