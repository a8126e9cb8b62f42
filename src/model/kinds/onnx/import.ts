/**
 * Imports an ONNX file as a model bundle: stores `model.onnx` and a manifest naming it. Every
 * trainer ends here (the MLP's export, a command's output, a file trained elsewhere), so every
 * bundle is checked the same way before anything is registered.
 */
import { readFile } from 'node:fs/promises';
import { MlopsError } from '../../../errors.js';
import type { ArtifactRef, ArtifactStore } from '../../../registry/artifact-store.js';
import type { PipelineSpec } from '../../../spec/schema.js';
import { onnxMetadata } from '../../onnx-metadata.js';
import { createOnnxPredictor } from '../../onnx-predictor.js';
import { syntheticInstance } from '../../../serving/readiness.js';
import { MANIFEST_FORMAT, serializeManifest, type ModelManifest } from '../../manifest.js';

/** What {@link importOnnxModel} takes. */
export interface ImportOnnxArgs {
  /** The validated spec: name, task, target and features describe the model. */
  readonly spec: PipelineSpec;
  /** A local `model.onnx`. */
  readonly onnxFile: string;
  readonly store: ArtifactStore;
  /** The trainer that made it. */
  readonly kind: 'mlp' | 'command' | 'onnx';
  /** Class labels in the order of the probability outputs, when the model carries none. */
  readonly classes?: readonly string[];
  /** Kind-specific facts kept in the manifest. */
  readonly details?: Record<string, unknown>;
}

/**
 * Checks `onnxFile` against the spec, then stores it and its manifest. Rejects with a
 * non-retryable MlopsError('ModelInvalid') naming what to fix: a missing or unreadable file, a
 * graph onnxruntime cannot load, inputs that do not match the spec's features, outputs of the
 * wrong shape, probabilities without labels.
 */
export async function importOnnxModel(args: ImportOnnxArgs): Promise<{ manifest: ArtifactRef; onnx: ArtifactRef }> {
  const { spec, store } = args;
  const bytes = await readModelFile(args.onnxFile);
  // Checked before anything is stored, so a bad model is never registered.
  const classes = await checkModel(bytes, spec, args.classes);
  const onnx = await store.putBytes(bytes, '.onnx');
  const manifest: ModelManifest = {
    format: MANIFEST_FORMAT,
    name: spec.name,
    task: spec.task,
    target: spec.data.target,
    features: spec.data.features.map((f) => ({ name: f.name, type: f.type })),
    ...(classes ? { classes: [...classes] } : {}),
    kind: args.kind,
    onnx,
    trainedAt: new Date().toISOString(),
    ...(args.details ? { details: args.details } : {}),
  };
  return { manifest: await store.putBytes(serializeManifest(manifest), '.model.json'), onnx };
}

async function readModelFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new MlopsError('ModelInvalid', `cannot read the ONNX model ${file}: ${why}; check the path (model.uri, or the model.onnx the trainer writes)`, { file });
  }
}

/**
 * Loads the graph as serving will and answers two synthetic rows (zeros and unseen categories,
 * then all missing), so output shapes are checked on a batch. Returns the class labels.
 */
async function checkModel(bytes: Uint8Array, spec: PipelineSpec, classes: readonly string[] | undefined): Promise<readonly string[] | undefined> {
  const predictor = await createOnnxPredictor(bytes, { task: spec.task, features: spec.data.features, classes, metadata: onnxMetadata(bytes) });
  try {
    const rows = [syntheticInstance(spec.data.features), Object.fromEntries(spec.data.features.map((f) => [f.name, f.type === 'numeric' ? 1 : null]))];
    const predictions = await predictor.predict(rows);
    if (spec.task === 'regression' && !predictions.every((p) => typeof p === 'number')) {
      throw new MlopsError('ModelInvalid', 'the ONNX model cannot serve this spec: its first output is not a number per row');
    }
    return predictor.classes;
  } finally {
    await predictor.dispose();
  }
}
