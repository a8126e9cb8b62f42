/**
 * The model bundle: one self-contained JSON document with everything serving needs —
 * the features, the fitted preprocessing and the dense weights. No TensorFlow.js is needed
 * to read it (serving runs a plain-JS forward pass), and it diffs and inspects as text.
 */
import type * as tf from '@tensorflow/tfjs';
import { MlopsError } from '../errors.js';
import type { FeatureSpec, PipelineSpec, Task } from '../spec/schema.js';
import type { DenseActivation } from './head.js';
import type { PreprocessingState } from './preprocess.js';

/** The `format` of bundles this code writes and reads. */
export const BUNDLE_FORMAT = 'temporal-mlops/mlp@1';

/** One fully connected layer: `activation(x · kernel + bias)`. */
export interface DenseLayer {
  readonly units: number;
  readonly activation: DenseActivation;
  /** Row-major `inputs × units`. */
  readonly kernel: number[];
  readonly bias: number[];
}

/** Losses after one epoch. */
export interface EpochLoss {
  readonly loss: number;
  readonly valLoss?: number;
}

/** A trained model as stored in the artifact store. */
export interface ModelBundle {
  readonly format: typeof BUNDLE_FORMAT;
  /** The registry name (spec.name). */
  readonly name: string;
  readonly task: Task;
  /** The target column. */
  readonly target: string;
  readonly features: readonly FeatureSpec[];
  /** Class labels in output order (classification only). */
  readonly classes?: readonly string[];
  readonly preprocessing: PreprocessingState;
  readonly layers: readonly DenseLayer[];
  /** The TensorFlow.js backend that trained it. */
  readonly backend: string;
  /** ISO-8601 time training finished. */
  readonly trainedAt: string;
  /** One entry per epoch. */
  readonly history: readonly EpochLoss[];
}

/** Reads the dense weights of a trained tfjs model; any other layer type is a bug here. */
export function extractDenseLayers(model: tf.LayersModel): DenseLayer[] {
  return model.layers.map((layer) => {
    const [kernel, bias] = layer.getWeights();
    const config = layer.getConfig();
    if (layer.getClassName() !== 'Dense' || !kernel || !bias) {
      throw new MlopsError('TrainingFailed', `layer ${layer.name} is a ${layer.getClassName()}; bundles hold dense layers only`);
    }
    return {
      units: config.units as number,
      activation: config.activation as DenseActivation,
      kernel: Array.from(kernel.dataSync()),
      bias: Array.from(bias.dataSync()),
    };
  });
}

/**
 * The bundle of a network trained for `spec` on `preprocessing`, finished now: its features,
 * target and classes are those the preprocessing was fitted on.
 */
export function assembleBundle(
  spec: Pick<PipelineSpec, 'name' | 'task'>,
  preprocessing: PreprocessingState,
  trained: Pick<ModelBundle, 'layers' | 'backend' | 'history'>,
): ModelBundle {
  const target = preprocessing.target;
  return {
    format: BUNDLE_FORMAT,
    name: spec.name,
    task: spec.task,
    target: target.name,
    features: preprocessing.features.map((f) => ({ name: f.name, type: f.type })),
    ...(target.task === 'classification' ? { classes: [...target.classes] } : {}),
    preprocessing,
    layers: trained.layers,
    backend: trained.backend,
    trainedAt: new Date().toISOString(),
    history: trained.history,
  };
}

/** The bundle as JSON text (what goes into the artifact store). */
export function serializeBundle(bundle: ModelBundle): string {
  return JSON.stringify(bundle);
}

/**
 * Parses and checks a bundle: the format tag, the fields serving relies on and the shape of
 * every layer. Throws MlopsError('ArtifactCorrupt') saying what is wrong.
 */
export function parseBundle(text: string | Uint8Array): ModelBundle {
  let value: unknown;
  try {
    value = JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
  } catch (err) {
    return corrupt(`is not JSON (${(err as Error).message})`);
  }
  if (!isObject(value)) return corrupt('is not a JSON object');
  if (value.format !== BUNDLE_FORMAT) {
    return corrupt(`has format ${JSON.stringify(value.format)}, expected "${BUNDLE_FORMAT}"; it is not a model bundle, or a newer version of temporal-mlops wrote it`);
  }
  const bundle = value as unknown as ModelBundle;
  checkFields(bundle);
  checkLayers(bundle);
  return bundle;
}

function checkFields(b: ModelBundle): void {
  if (typeof b.name !== 'string' || typeof b.target !== 'string') corrupt('lacks "name" or "target"');
  if (b.task !== 'regression' && b.task !== 'classification') corrupt(`has task ${JSON.stringify(b.task)}`);
  if (!Array.isArray(b.features) || b.features.length === 0) corrupt('lists no "features"');
  if (!isObject(b.preprocessing) || typeof b.preprocessing.width !== 'number' || !Array.isArray(b.preprocessing.features)) {
    corrupt('has no valid "preprocessing"');
  }
  if (b.task === 'classification' && (!Array.isArray(b.classes) || b.classes.length < 2)) corrupt('is a classifier without "classes"');
  if (!Array.isArray(b.layers) || b.layers.length === 0) corrupt('has no "layers"');
}

function checkLayers(b: ModelBundle): void {
  let inputs = b.preprocessing.width;
  b.layers.forEach((layer, i) => {
    const ok =
      isObject(layer) &&
      Number.isInteger(layer.units) &&
      layer.units > 0 &&
      Array.isArray(layer.kernel) &&
      layer.kernel.length === inputs * layer.units &&
      Array.isArray(layer.bias) &&
      layer.bias.length === layer.units &&
      allFinite(layer.kernel) &&
      allFinite(layer.bias) &&
      ['relu', 'linear', 'sigmoid', 'softmax'].includes(layer.activation);
    if (!ok) corrupt(`layer ${i} is malformed: it needs ${inputs}×units finite kernel weights, units finite biases and a relu/linear/sigmoid/softmax activation`);
    inputs = layer.units;
  });
  const expected = b.task === 'classification' && (b.classes?.length ?? 0) > 2 ? b.classes?.length : 1;
  if (inputs !== expected) corrupt(`ends in ${inputs} outputs, expected ${expected}`);
}

function corrupt(what: string): never {
  throw new MlopsError('ArtifactCorrupt', `the model bundle ${what}`);
}

function allFinite(values: readonly unknown[]): boolean {
  return values.every((v) => typeof v === 'number' && Number.isFinite(v));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
