/** A small tfjs network with non-trivial weights and its bundle, for bundle and predictor tests. */
import * as tf from '@tensorflow/tfjs';
import { assembleBundle, extractDenseLayers, type ModelBundle } from '../../../src/model/bundle.js';
import { headFor } from '../../../src/model/head.js';
import { buildMlp } from '../../../src/model/mlp.js';
import { fitPreprocessing } from '../../../src/model/preprocess.js';
import type { PipelineSpec } from '../../../src/spec/schema.js';
import type { TabularData } from '../../../src/data/types.js';
import { mlpModel, rng } from './fixtures.js';

export function trainedLikeModel(spec: PipelineSpec, train: TabularData): { model: tf.Sequential; bundle: ModelBundle } {
  const preprocessing = fitPreprocessing(spec, train);
  const model = buildMlp(mlpModel(spec.model), preprocessing.width, headFor(preprocessing));
  // Zero biases would hide bias bugs: give every weight a random value.
  const r = rng(7);
  model.setWeights(model.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => r() * 2 - 1), w.shape)));
  const bundle = assembleBundle(spec, preprocessing, { layers: extractDenseLayers(model), backend: tf.getBackend(), history: [{ loss: 1, valLoss: 1.5 }] });
  return { model, bundle };
}

/** Random serving instances for the fixtures' features, with missing and unseen values. */
export function randomInstances(n: number, category: string, values: readonly (string | null)[]): Record<string, unknown>[] {
  const r = rng(99);
  return Array.from({ length: n }, () => ({
    x: r() < 0.2 ? null : r() * 6 - 3,
    [category]: values[Math.floor(r() * values.length)] ?? null,
  }));
}
