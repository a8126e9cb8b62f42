/** Reading an ONNX file's `metadata_props` (e.g. the `classes` a classifier's probabilities stand for). */
import onnxProto from 'onnx-proto';
import { MlopsError } from '../errors.js';

// onnx-proto is CommonJS: Node's ESM loader (the CLI, workers) sees only its default export.
const { onnx } = onnxProto;

/** The graph's metadata_props as a record. Throws MlopsError('ModelInvalid') when the bytes are no ONNX model. */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  let model: ReturnType<typeof onnx.ModelProto.decode>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new MlopsError('ModelInvalid', `the file is not an ONNX model (${(err as Error).message}); write it with torch.onnx.export, skl2onnx or onnx.save_model`);
  }
  return Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}
