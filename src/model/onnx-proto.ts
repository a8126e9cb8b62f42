/**
 * The ONNX protobuf messages (onnx-proto). The package is CommonJS whose exports Node's ESM
 * loader cannot see by name, so it is loaded with require; types come from its declarations.
 */
import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';

export const onnx: typeof OnnxProto.onnx = (createRequire(import.meta.url)('onnx-proto') as typeof OnnxProto).onnx;
