/**
 * onnxruntime-node sessions: CPU everywhere, the CUDA execution provider first when its
 * libraries are installed (see the README, "How a GPU host gets the CUDA provider"). Detected,
 * never required: without them the CPU provider serves the same graphs.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

let providers: string[] | undefined;

/** The execution providers sessions use, fastest first (MLOPS_ONNX_PROVIDERS=cpu forces the CPU). */
export function executionProviders(): string[] {
  providers ??= detectProviders();
  return providers;
}

function detectProviders(): string[] {
  if (process.env.MLOPS_ONNX_PROVIDERS === 'cpu') return ['cpu'];
  const binding = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
  const cudaLibrary = path.join(binding, '..', 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');
  return existsSync(cudaLibrary) ? ['cuda', 'cpu'] : ['cpu'];
}

/** A session over an ONNX graph held in memory. Rejects with onnxruntime's own message. */
export function createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: executionProviders(), graphOptimizationLevel: 'all' });
}

export { ort };
