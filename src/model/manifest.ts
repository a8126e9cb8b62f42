/**
 * The model bundle: a small JSON manifest (stored as `.model.json`) that names the model, its
 * task, target and features, and points at a `model.onnx` with the raw-features signature.
 * Whichever trainer made it (the built-in MLP, the user's command, an imported ONNX file),
 * serving, evaluation and monitoring read it the same way, and any ONNX tool opens the model.
 */
import { MlopsError } from '../errors.js';
import type { ArtifactRef } from '../registry/artifact-store.js';
import type { FeatureSpec, Task } from '../spec/schema.js';
import type { ModelType } from './model-spec.js';

/** The `format` of the manifests this code writes. */
export const MANIFEST_FORMAT = 'temporal-mlops/model@2';

/** A model as the registry holds it: this manifest, stored as JSON, plus the ONNX graph it names. */
export interface ModelManifest {
  readonly format: typeof MANIFEST_FORMAT;
  /** The registry name (spec.name). */
  readonly name: string;
  readonly task: Task;
  /** The target column. */
  readonly target: string;
  /** The features the model reads, as the spec names them. */
  readonly features: readonly FeatureSpec[];
  /** Class labels in the order of the probability outputs (classification only). */
  readonly classes?: readonly string[];
  /** The trainer that made it (`model.type`). */
  readonly kind: ModelType;
  /** `model.onnx`: one input per feature (or one `[N,F]` float input), raw values in. */
  readonly onnx: ArtifactRef;
  /** ISO-8601 time training (or the import) finished. */
  readonly trainedAt: string;
  /** Kind-specific facts (e.g. the MLP's layers and losses, an imported file's origin). */
  readonly details?: Record<string, unknown>;
}

/** The manifest as JSON text (what goes into the artifact store). */
export function serializeManifest(manifest: ModelManifest): string {
  return JSON.stringify(manifest);
}

/** True when the bytes look like a manifest (rather than an older bundle format). */
export function isManifest(value: unknown): boolean {
  return isObject(value) && value.format === MANIFEST_FORMAT;
}

/**
 * Checks a parsed manifest: the format tag and every field serving relies on.
 * Throws MlopsError('ArtifactCorrupt') saying what is wrong.
 */
export function checkManifest(value: unknown): ModelManifest {
  if (!isObject(value)) return corrupt('is not a JSON object');
  if (value.format !== MANIFEST_FORMAT) return corrupt(`has format ${JSON.stringify(value.format)}, expected "${MANIFEST_FORMAT}"`);
  const m = value as unknown as ModelManifest;
  if (typeof m.name !== 'string' || typeof m.target !== 'string') corrupt('lacks "name" or "target"');
  if (m.task !== 'regression' && m.task !== 'classification') corrupt(`has task ${JSON.stringify(m.task)}`);
  const featuresOk = Array.isArray(m.features) && m.features.length > 0 && m.features.every((f) => isObject(f) && typeof f.name === 'string' && (f.type === 'numeric' || f.type === 'categorical'));
  if (!featuresOk) corrupt('lists no valid "features" ({ name, type: numeric | categorical })');
  if (m.classes !== undefined && (!Array.isArray(m.classes) || m.classes.length < 2 || !m.classes.every((c) => typeof c === 'string'))) {
    corrupt('has "classes" that are not a list of at least two labels');
  }
  if (!['mlp', 'command', 'onnx'].includes(m.kind)) corrupt(`has kind ${JSON.stringify(m.kind)}`);
  const ref = m.onnx as unknown;
  if (!isObject(ref) || typeof ref.uri !== 'string' || typeof ref.sha256 !== 'string' || typeof ref.bytes !== 'number') {
    corrupt('has no "onnx" artifact reference { uri, sha256, bytes }');
  }
  return m;
}

function corrupt(what: string): never {
  throw new MlopsError('ArtifactCorrupt', `the model manifest ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
