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

/**
 * Every session runs on the thread that calls it, without thread pools of its own. onnxruntime's
 * default gives each session an intra-op pool of one thread per core that spins while it waits:
 * a model server with a thousand models would hold a thousand pools, and on a busy server the
 * spinning steals the cores requests need (p99 at half load). onnxruntime-node runs a session
 * on the event loop's thread anyway, and our graphs are small: a pool buys nothing here.
 */
const sessionOptions: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
};

/** A session over an ONNX graph held in memory. Rejects with onnxruntime's own message. */
export function createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { ...sessionOptions, executionProviders: executionProviders() });
}

export { ort };
