/**
 * `model.type: onnx`: a model trained elsewhere. Nothing is trained; the file `model.uri` names
 * is checked and imported, then evaluated, gated, approved, served and monitored like any other.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActivityDeps } from '../../../../activities/deps.js';
import { MlopsError } from '../../../errors.js';
import type { PipelineSpecOf } from '../../../spec/schema.js';
import { baseLineage } from '../../lineage.js';
import type { TrainInput, TrainResult } from '../../train-result.js';
import { importOnnxModel } from './import.js';

/** Imports the spec's `model.uri` as this run's model. */
export async function importSpecModel(deps: ActivityDeps, input: TrainInput & { readonly spec: PipelineSpecOf<'onnx'> }): Promise<TrainResult> {
  const { spec } = input;
  const onnxFile = await localModelFile(deps, spec.model.uri);
  const { manifest, onnx } = await importOnnxModel({
    spec,
    onnxFile,
    store: deps.store,
    kind: 'onnx',
    classes: spec.model.classes,
    details: { source: spec.model.uri },
  });
  return { bundle: manifest, kind: 'onnx', lineage: { ...(await baseLineage(spec)), source: { uri: spec.model.uri, sha256: onnx.sha256 } } };
}

/**
 * A local copy of `model.uri`: a path (relative ones against the worker's base folder), a
 * `file://` URI, or an artifact URI of the store (content-addressed: `…/<sha256>.onnx`).
 */
async function localModelFile(deps: ActivityDeps, uri: string): Promise<string> {
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return path.resolve(deps.baseDir, uri);
  const sha256 = /([0-9a-f]{64})(\.[a-z]+)?$/.exec(uri)?.[1];
  if (!sha256) {
    throw new MlopsError('ModelInvalid', `model.uri ${uri} is not an artifact URI of this store (…/<sha256>.onnx); give a path, a file:// URI or an artifact URI`);
  }
  return deps.store.localPath({ uri, sha256, bytes: -1 });
}
