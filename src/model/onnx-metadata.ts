/** Reading an ONNX file's `metadata_props` (e.g. the `classes` a classifier's probabilities stand for). */
import type { onnx as proto } from 'onnx-proto';
import { onnx } from './onnx-proto.js';
import { MlopsError } from '../errors.js';

/** The graph's metadata_props as a record. Throws MlopsError('ModelInvalid') when the bytes are no ONNX model. */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  let model: proto.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new MlopsError('ModelInvalid', `the file is not an ONNX model (${(err as Error).message}); write it with torch.onnx.export, skl2onnx or onnx.save_model`);
  }
  return Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}
