/**
 * The one way to turn a model bundle into a Predictor: serving, evaluation, readiness checks and
 * live-performance monitoring all load models here, so they never need to know the trainer.
 * A manifest (temporal-mlops/model@2) loads its `model.onnx` into onnxruntime; a bundle written
 * before manifests existed (temporal-mlops/mlp@1) still loads.
 *
 * The built-in MLP's manifest also names its weights (`details.weights`, the mlp@1 JSON of the
 * same network), which the plain-JS forward pass serves instead of an onnxruntime session:
 * `npm run bench serving` has it at 1.6 µs a call against 26 µs, and 1.33× the batch-1
 * throughput over HTTP (the rule: it stays only while it buys 10 % or more). model.onnx stays the
 * model any ONNX tool opens; the two answer alike within 1e-5 (test/unit/model/onnx-export.test.ts).
 */
import { MlopsError } from '../errors.js';
import type { ArtifactRef, ArtifactStore } from '../registry/artifact-store.js';
import { parseBundle, type EpochLoss, type ModelBundle } from './bundle.js';
import { checkManifest, isManifest, type ModelManifest } from './manifest.js';
import { onnxMetadata } from './onnx-metadata.js';
import { createOnnxPredictor } from './onnx-predictor.js';
import { createPredictor } from './predictor.js';
import type { ModelType } from './model-spec.js';
import type { Predictor } from './types.js';

/** What reports say about a model's making, whichever trainer made it. */
export interface ModelSummary {
  readonly kind?: ModelType;
  readonly trainedAt: string;
  /** The TensorFlow.js backend (the built-in MLP). */
  readonly backend?: string;
  /** Losses per epoch (trainers that report them). */
  readonly history?: readonly EpochLoss[];
}

/**
 * Loads the model `ref` names. Rejects with MlopsError('ArtifactCorrupt') for bytes that are no
 * bundle, ('ModelInvalid') for a graph that cannot serve its manifest's features.
 */
export async function loadModel(store: ArtifactStore, ref: ArtifactRef): Promise<Predictor> {
  const read = await readBundle(store, ref);
  if ('bundle' in read) return createPredictor(read.bundle);
  const { manifest } = read;
  const weights = mlpWeights(manifest);
  if (weights) return createPredictor(parseBundle(await store.readBytes(weights)));
  const onnx = await store.readBytes(manifest.onnx);
  return createOnnxPredictor(onnx, { task: manifest.task, features: manifest.features, classes: manifest.classes, metadata: onnxMetadata(onnx) });
}

/** The model's kind, training time, backend and loss history, for reports. */
export async function summarizeModel(store: ArtifactStore, ref: ArtifactRef): Promise<ModelSummary> {
  const read = await readBundle(store, ref);
  if ('bundle' in read) {
    const { bundle } = read;
    return { kind: 'mlp', trainedAt: bundle.trainedAt, backend: bundle.backend, history: bundle.history };
  }
  const { manifest } = read;
  const details = manifest.details ?? {};
  return {
    kind: manifest.kind,
    trainedAt: manifest.trainedAt,
    ...(typeof details.backend === 'string' ? { backend: details.backend } : {}),
    ...(Array.isArray(details.history) ? { history: details.history as EpochLoss[] } : {}),
  };
}

/** The built-in MLP's weights for the plain-JS forward pass, when its manifest names them. */
function mlpWeights(manifest: ModelManifest): ArtifactRef | undefined {
  const ref = manifest.details?.weights as Partial<ArtifactRef> | undefined;
  if (manifest.kind !== 'mlp' || ref === undefined) return undefined;
  if (typeof ref?.uri !== 'string' || typeof ref.sha256 !== 'string' || typeof ref.bytes !== 'number') {
    throw new MlopsError('ArtifactCorrupt', `the model manifest's details.weights is not an artifact reference ({ uri, sha256, bytes })`);
  }
  return ref as ArtifactRef;
}

/** The bundle `ref` names: a manifest, or a bundle written before manifests (mlp@1). */
async function readBundle(store: ArtifactStore, ref: ArtifactRef): Promise<{ manifest: ModelManifest } | { bundle: ModelBundle }> {
  const bytes = await store.readBytes(ref);
  const value = parseJson(bytes, ref);
  return isManifest(value) ? { manifest: checkManifest(value) } : { bundle: parseBundle(bytes) };
}

function parseJson(bytes: Buffer, ref: ArtifactRef): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new MlopsError('ArtifactCorrupt', `the model bundle ${ref.uri} is not JSON (${(err as Error).message})`);
  }
}
