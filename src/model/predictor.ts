/**
 * Serving-time inference: a forward pass in plain JavaScript over the bundle's weights.
 * For the small MLPs this project trains, TensorFlow.js's per-call overhead (tensor
 * allocation, kernel dispatch, async data download) costs far more than the arithmetic,
 * so a few tight loops answer requests faster and with no backend to set up.
 *
 * The first layer reads the instances directly instead of their encoded rows: an encoded row
 * is mostly zeros (one-hot columns, missing flags), so each feature adds one or two kernel rows
 * (see ./preprocess.ts for the layout), which is the same sum the dense product computes.
 * Sums run in float64 over scratch buffers reused across calls (a predictor serves one call at
 * a time: predict is synchronous), and each layer's outputs are rounded to float32 as tfjs
 * stores them; test/unit/model/predictor.test.ts holds the results to tfjs.
 */
import { MlopsError } from '../errors.js';
import type { ModelBundle } from './bundle.js';
import type { DenseActivation } from './head.js';
import { badCategory, badNumber, checkInstance, missingFeature } from './instance-errors.js';
import { decodeRegression, featureWidth, vocabularyIndexOf, type FeatureState } from './preprocess.js';
import type { Prediction, Predictor } from './types.js';

interface Layer {
  readonly inputs: number;
  readonly units: number;
  readonly activation: DenseActivation;
  readonly kernel: Float64Array;
  readonly bias: Float64Array;
}

/** How one feature enters the first layer: the kernel row of its first encoded column. */
type InputFeature =
  | { readonly type: 'numeric'; readonly name: string; readonly row: number; readonly mean: number; readonly std: number }
  | { readonly type: 'categorical'; readonly name: string; readonly row: number; readonly index: ReadonlyMap<string, number>; readonly outOfVocabulary: number };

/** The plain-JS predictor: it answers synchronously. */
export type JsPredictor = Omit<Predictor, 'predict'> & { predict(instances: readonly Record<string, unknown>[]): Prediction[] };

/** Creates a predictor from a (parsed, validated) bundle. */
export function createPredictor(bundle: ModelBundle): JsPredictor {
  const layers = toLayers(bundle);
  const inputs = toInputFeatures(bundle.preprocessing.features);
  const classes = bundle.classes ?? [];
  const state = bundle.preprocessing;
  const width = layers[layers.length - 1]?.units ?? 1;
  // One scratch buffer per layer output, grown to the largest batch seen.
  const scratch: Float64Array[] = layers.map(() => new Float64Array(0));
  const buffer = (i: number, size: number): Float64Array => {
    if (scratch[i]!.length < size) scratch[i] = new Float64Array(Math.max(size, 2 * scratch[i]!.length));
    return scratch[i]!;
  };
  return {
    task: bundle.task,
    features: bundle.features,
    classes: bundle.task === 'classification' ? classes : undefined,
    predict(instances) {
      const rows = instances.length;
      let x = firstLayer(layers[0]!, inputs, instances, buffer(0, rows * layers[0]!.units));
      for (let l = 1; l < layers.length; l++) x = dense(layers[l]!, x, rows, buffer(l, rows * layers[l]!.units));
      const predictions: Prediction[] = new Array(rows);
      for (let i = 0; i < rows; i++) {
        predictions[i] = bundle.task === 'regression' ? decodeRegression(state, x[i * width] ?? NaN) : classify(x, i * width, width, classes);
      }
      return predictions;
    },
  };
}

function toLayers(bundle: ModelBundle): Layer[] {
  let inputs = bundle.preprocessing.width;
  if (bundle.layers.length === 0) throw new MlopsError('BadRequest', 'the model bundle has no layers');
  return bundle.layers.map((l) => {
    // Weights as the float32 tensors tfjs holds them.
    const layer = { inputs, units: l.units, activation: l.activation, kernel: Float64Array.from(l.kernel, Math.fround), bias: Float64Array.from(l.bias, Math.fround) };
    inputs = l.units;
    return layer;
  });
}

function toInputFeatures(features: readonly FeatureState[]): InputFeature[] {
  let row = 0;
  return features.map((f) => {
    const input: InputFeature =
      f.type === 'numeric'
        ? { type: 'numeric', name: f.name, row, mean: f.mean, std: f.std }
        : { type: 'categorical', name: f.name, row, index: vocabularyIndexOf(f), outOfVocabulary: f.vocabulary.length };
    row += featureWidth(f);
    return input;
  });
}

/** The first layer, from the instances: per feature, its value times one kernel row (or one row for a one-hot). */
function firstLayer(layer: Layer, inputs: readonly InputFeature[], instances: readonly Record<string, unknown>[], out: Float64Array): Float64Array {
  const { units, kernel, bias } = layer;
  for (let r = 0; r < instances.length; r++) {
    const instance = instances[r]!;
    checkInstance(instance, r);
    const o = r * units;
    out.set(bias, o);
    for (const f of inputs) {
      if (!Object.hasOwn(instance, f.name)) throw missingFeature(f.name, r, inputs);
      const v = instance[f.name];
      let k: number;
      let a = 1;
      if (f.type === 'numeric') {
        // Encoded as [standardized value, missing flag]; missing standardizes to 0.
        if (v === null) k = f.row + 1;
        else if (typeof v === 'number' && Number.isFinite(v)) {
          k = f.row;
          a = (v - f.mean) / f.std;
        } else throw badNumber(f.name, v, r);
      } else {
        // One-hot over the vocabulary, then the out-of-vocabulary bucket (also for missing).
        if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw badCategory(f.name, v, r);
        k = f.row + ((v === null ? undefined : f.index.get(String(v))) ?? f.outOfVocabulary);
      }
      if (a === 0) continue;
      const w = k * units;
      for (let j = 0; j < units; j++) out[o + j] = (out[o + j] as number) + a * (kernel[w + j] as number);
    }
  }
  activate(layer.activation, out, instances.length, units);
  return out;
}

function dense(layer: Layer, x: Float64Array, rows: number, out: Float64Array): Float64Array {
  const { inputs, units, kernel, bias } = layer;
  for (let r = 0; r < rows; r++) {
    const o = r * units;
    out.set(bias, o);
    for (let k = 0; k < inputs; k++) {
      const a = x[r * inputs + k] as number;
      // After a relu many inputs are zero.
      if (a === 0) continue;
      const w = k * units;
      for (let j = 0; j < units; j++) out[o + j] = (out[o + j] as number) + a * (kernel[w + j] as number);
    }
  }
  activate(layer.activation, out, rows, units);
  return out;
}

function activate(activation: DenseActivation, out: Float64Array, rows: number, units: number): void {
  // Scratch buffers can be longer than this batch: only its rows are touched.
  const n = rows * units;
  // A layer's outputs are float32 in tfjs: out of float32's range is ±Infinity there, so here too.
  for (let i = 0; i < n; i++) out[i] = Math.fround(out[i] as number);
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < n; i++) if ((out[i] as number) < 0) out[i] = 0;
      return;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-(out[i] as number)));
      return;
    case 'softmax':
      for (let r = 0; r < rows; r++) softmax(out.subarray(r * units, (r + 1) * units));
  }
}

function softmax(row: Float64Array): void {
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

function classify(out: Float64Array, offset: number, width: number, classes: readonly string[]): Prediction {
  // A single sigmoid unit is P(second class) of a binary problem.
  const p = width === 1 ? [1 - (out[offset] as number), out[offset] as number] : Array.from(out.subarray(offset, offset + width));
  const probabilities: Record<string, number> = {};
  let best = 0;
  p.forEach((v, j) => {
    probabilities[classes[j] ?? String(j)] = v;
    if (v > (p[best] as number)) best = j;
  });
  return { label: classes[best] ?? String(best), probabilities };
}
