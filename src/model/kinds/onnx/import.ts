/**
 * Imports an ONNX file as a model bundle: stores `model.onnx` and a manifest naming it. Every
 * trainer ends here (the MLP's export, a command's output, a file trained elsewhere), so every
 * bundle is checked the same way before anything is registered.
 */
import { readFile } from 'node:fs/promises';
import { MlopsError } from '../../../errors.js';
import type { ArtifactRef, ArtifactStore } from '../../../registry/artifact-store.js';
import type { PipelineSpec } from '../../../spec/schema.js';
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
 * Stores `onnxFile` and its manifest. Rejects with a non-retryable MlopsError('ModelInvalid')
 * naming what to fix when the file is missing or unreadable.
 */
export async function importOnnxModel(args: ImportOnnxArgs): Promise<{ manifest: ArtifactRef; onnx: ArtifactRef }> {
  const { spec, store } = args;
  const bytes = await readModelFile(args.onnxFile);
  const onnx = await store.putBytes(bytes, '.onnx');
  const manifest: ModelManifest = {
    format: MANIFEST_FORMAT,
    name: spec.name,
    task: spec.task,
    target: spec.data.target,
    features: spec.data.features.map((f) => ({ name: f.name, type: f.type })),
    ...(args.classes ? { classes: [...args.classes] } : {}),
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
