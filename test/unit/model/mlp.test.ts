import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/model/backend.js';
import { buildMlp } from '../../../src/model/mlp.js';
import { modelSchema } from '../../../src/model/model-spec.js';
import { mlpModel } from './fixtures.js';

const head = { units: 1, activation: 'linear', loss: 'meanSquaredError' } as const;
const model = (settings: object) => mlpModel(modelSchema.parse({ hiddenUnits: [4, 3], ...settings }));
const hiddenNorm = (net: tf.Sequential) => net.layers.slice(0, -1).reduce((sum, l) => sum + tf.sum(tf.square(l.getWeights()[0] as tf.Tensor)).dataSync()[0]!, 0);

describe('buildMlp', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('decays the hidden layers only: the head stays free, so the network cannot collapse to a constant', () => {
    const regularized = (net: tf.Sequential) => net.layers.map((l) => l.getConfig().kernelRegularizer !== undefined && l.getConfig().kernelRegularizer !== null);
    expect(regularized(buildMlp(model({ weightDecay: 0.1 }), 5, head))).toEqual([true, true, false]);
    expect(regularized(buildMlp(model({ weightDecay: 0 }), 5, head))).toEqual([false, false, false]);
    expect(regularized(buildMlp(model({}), 5, head))).toEqual([false, false, false]);
  });

  it('trains smaller hidden weights with decay than without, from the same start', async () => {
    const x = tf.randomNormal([64, 5], 0, 1, 'float32', 1);
    const y = tf.sum(x, 1, true);
    const fitted = async (weightDecay: number) => {
      const net = buildMlp(model({ weightDecay, learningRate: 0.01 }), 5, head);
      await net.fit(x, y, { epochs: 20, batchSize: 16, shuffle: false, verbose: 0 });
      return hiddenNorm(net);
    };
    expect(await fitted(0.1)).toBeLessThan((await fitted(0)) / 2);
  });
});
