/**
 * The network: a multi-layer perceptron built from `spec.model`. Initializers are seeded so
 * two runs on the same data, spec and backend produce the same weights and losses.
 */
import * as tf from '@tensorflow/tfjs';
import type { PipelineSpec } from '../spec/schema.js';
import type { MlpHead } from './head.js';

/**
 * Builds and compiles the MLP: `hiddenUnits` relu layers, then the head; Adam with
 * `learningRate`. Every layer gets its own seed (`seed + layer index`) so equally shaped
 * layers do not start identical.
 */
export function buildMlp(model: PipelineSpec['model'], inputWidth: number, head: MlpHead): tf.Sequential {
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
  net.compile({ optimizer: tf.train.adam(model.learningRate), loss: head.loss });
  return net;
}
