/**
 * The network: a multi-layer perceptron built from `spec.model`. Initializers are seeded so
 * two runs on the same data, spec and backend produce the same weights and losses.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlpHead } from './head.js';
import type { MlpModelSpec } from './model-spec.js';

/** SGD with momentum uses this momentum (the common default). */
const MOMENTUM = 0.9;

/** The optimizer of `model.optimizer` at `model.learningRate`. */
export function createOptimizer(model: Pick<MlpModelSpec, 'optimizer' | 'learningRate'>): tf.Optimizer {
  const lr = model.learningRate;
  switch (model.optimizer) {
    case 'adam':
      return tf.train.adam(lr);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, MOMENTUM);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
    case 'adagrad':
      return tf.train.adagrad(lr);
  }
}

/**
 * Builds and compiles the MLP: `hiddenUnits` relu layers, then the head; the spec's optimizer
 * and learning rate. Every layer gets its own seed (`seed + layer index`) so equally shaped
 * layers do not start identical.
 */
export function buildMlp(model: MlpModelSpec, inputWidth: number, head: MlpHead): tf.Sequential {
  const net = tf.sequential();
  const layers = [...model.hiddenUnits.map((units) => ({ units, activation: 'relu' as const })), head];
  layers.forEach((layer, i) => {
    net.add(
      tf.layers.dense({
        units: layer.units,
        activation: layer.activation,
        inputShape: i === 0 ? [inputWidth] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: model.seed + i }),
        biasInitializer: 'zeros',
      }),
    );
  });
  net.compile({ optimizer: createOptimizer(model), loss: head.loss });
  return net;
}
