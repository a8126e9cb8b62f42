/**
 * Serving-time inference: a forward pass in plain JavaScript over the bundle's weights.
 * For the small MLPs this project trains, TensorFlow.js's per-call overhead (tensor
 * allocation, kernel dispatch, async data download) costs far more than the arithmetic,
 * so a few tight Float32Array loops answer requests faster and with no backend to set up.
 */
import type { ModelBundle } from './bundle.js';
import type { DenseActivation } from './head.js';
import { decodeRegression, encodeFeatures } from './preprocess.js';
import type { Prediction, Predictor } from './types.js';

interface Layer {
  readonly inputs: number;
  readonly units: number;
  readonly activation: DenseActivation;
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

/** Creates a predictor from a (parsed, validated) bundle. */
export function createPredictor(bundle: ModelBundle): Predictor {
  const layers = toLayers(bundle);
  const classes = bundle.classes ?? [];
  const state = bundle.preprocessing;
  return {
    task: bundle.task,
    features: bundle.features,
    classes: bundle.task === 'classification' ? classes : undefined,
    predict(instances) {
      const outputs = forward(layers, encodeFeatures(state, instances), instances.length);
      const width = layers[layers.length - 1]?.units ?? 1;
      const predictions: Prediction[] = [];
      for (let i = 0; i < instances.length; i++) {
        const row = outputs.subarray(i * width, (i + 1) * width);
        predictions.push(bundle.task === 'regression' ? decodeRegression(state, row[0] ?? NaN) : classify(row, classes));
      }
      return predictions;
    },
  };
}

/** Runs the network on `rows` encoded rows; returns the row-major output layer. */
function forward(layers: readonly Layer[], input: Float32Array, rows: number): Float32Array {
  let x = input;
  for (const layer of layers) x = dense(layer, x, rows);
  return x;
}

function toLayers(bundle: ModelBundle): Layer[] {
  let inputs = bundle.preprocessing.width;
  return bundle.layers.map((l) => {
    const layer = { inputs, units: l.units, activation: l.activation, kernel: Float32Array.from(l.kernel), bias: Float32Array.from(l.bias) };
    inputs = l.units;
    return layer;
  });
}

function dense(layer: Layer, x: Float32Array, rows: number): Float32Array {
  const { inputs, units, kernel, bias } = layer;
  const out = new Float32Array(rows * units);
  for (let r = 0; r < rows; r++) {
    const o = r * units;
    out.set(bias, o);
    for (let k = 0; k < inputs; k++) {
      const a = x[r * inputs + k] as number;
      // One-hot and missing-flag inputs are mostly zero; skipping them saves most of layer 1.
      if (a === 0) continue;
      const w = k * units;
      for (let j = 0; j < units; j++) out[o + j] = (out[o + j] as number) + a * (kernel[w + j] as number);
    }
  }
  activate(layer.activation, out, rows, units);
  return out;
}

function activate(activation: DenseActivation, out: Float32Array, rows: number, units: number): void {
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < out.length; i++) if ((out[i] as number) < 0) out[i] = 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-(out[i] as number)));
      return;
    case 'softmax':
      for (let r = 0; r < rows; r++) softmax(out.subarray(r * units, (r + 1) * units));
  }
}

function softmax(row: Float32Array): void {
  // Subtracting the max keeps exp() from overflowing on large logits.
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (let j = 0; j < row.length; j++) {
    const e = Math.exp((row[j] as number) - max);
    row[j] = e;
    sum += e;
  }
  for (let j = 0; j < row.length; j++) row[j] = (row[j] as number) / sum;
}

function classify(row: Float32Array, classes: readonly string[]): Prediction {
  // A single sigmoid unit is P(second class) of a binary problem.
  const p = row.length === 1 ? [1 - (row[0] as number), row[0] as number] : Array.from(row);
  const probabilities: Record<string, number> = {};
  let best = 0;
  p.forEach((v, j) => {
    probabilities[classes[j] ?? String(j)] = v;
    if (v > (p[best] as number)) best = j;
  });
  return { label: classes[best] ?? String(best), probabilities };
}
