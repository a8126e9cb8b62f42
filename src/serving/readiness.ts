/**
 * The readiness check a model version passes before an alias moves to it: load the bundle
 * with the loader the model server uses, validate a smoke instance against its signature and
 * answer it with a sane prediction (a finite number; or a known label with probabilities that
 * sum to 1). Used by the deploy activity and `mlops promote`.
 */
import { MlopsError, errorMessage } from '../errors.js';
import type { Prediction, Predictor } from '../model/types.js';
import type { ArtifactRef } from '../registry/artifact-store.js';
import type { FeatureSpec } from '../spec/schema.js';
import type { Instance } from './instances.js';
import { checkInstances } from './signature.js';

/** The category a smoke instance uses: unseen in training, so it exercises the OOV bucket. */
export const SMOKE_CATEGORY = '__mlops_smoke_unseen__';

export interface ReadinessResult {
  readonly predictor: Predictor;
  /** The instance that was sent. */
  readonly instance: Instance;
  readonly prediction: Prediction;
}

/**
 * Loads `bundle` and answers one smoke query: `instance` (e.g. a test row; only the model's
 * features are used, absent ones are sent as missing) or, without one, 0 for every numeric
 * feature and an unseen category for every categorical one.
 * Throws MlopsError `ReadinessCheckFailed` saying what went wrong.
 */
export async function checkReadiness(
  load: (ref: ArtifactRef) => Promise<Predictor>,
  bundle: ArtifactRef,
  instance?: Instance,
): Promise<ReadinessResult> {
  const predictor = await load(bundle).catch((err: unknown) => fail(`the bundle ${bundle.uri} does not load: ${errorMessage(err)}`));
  const smoke = instance ? pickFeatures(predictor.features, instance) : syntheticInstance(predictor.features);
  let prediction: Prediction | undefined;
  try {
    checkInstances(predictor.features, [smoke]);
    prediction = (await predictor.predict([smoke]))[0];
  } catch (err) {
    fail(`the smoke query ${JSON.stringify(smoke)} failed: ${errorMessage(err)}`);
  }
  const problem = checkPrediction(predictor, prediction);
  if (problem) fail(`the smoke query ${JSON.stringify(smoke)} returned ${typeof prediction === 'number' ? prediction : JSON.stringify(prediction)}: ${problem}`);
  return { predictor, instance: smoke, prediction: prediction! };
}

/** 0 for numeric features, an unseen category for categorical ones. */
export function syntheticInstance(features: readonly FeatureSpec[]): Instance {
  return Object.fromEntries(features.map((f) => [f.name, f.type === 'numeric' ? 0 : SMOKE_CATEGORY]));
}

function pickFeatures(features: readonly FeatureSpec[], row: Instance): Instance {
  return Object.fromEntries(features.map((f) => [f.name, row[f.name] ?? null]));
}

function checkPrediction(predictor: Predictor, p: Prediction | undefined): string | undefined {
  if (predictor.task === 'regression') return typeof p === 'number' && Number.isFinite(p) ? undefined : 'a regression must answer a finite number';
  if (typeof p !== 'object') return 'a classifier must answer { label, probabilities }';
  const probabilities = Object.values(p.probabilities);
  if (!probabilities.every((x) => Number.isFinite(x) && x >= 0 && x <= 1)) return 'the probabilities are not all between 0 and 1';
  const sum = probabilities.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-3) return `the probabilities sum to ${sum}, not 1`;
  if (predictor.classes && !predictor.classes.includes(p.label)) return `the label "${p.label}" is not one of the model's classes`;
  return undefined;
}

function fail(message: string): never {
  throw new MlopsError('ReadinessCheckFailed', `readiness check failed, so the alias was not moved: ${message}`);
}
