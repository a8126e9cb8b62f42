/**
 * Entry point of the training worker thread. The project runs TypeScript through tsx, but on
 * Node 20 loader hooks given to a worker as `execArgv: ['--import', 'tsx']` do not apply to
 * the worker's modules (ERR_UNKNOWN_FILE_EXTENSION for the .ts entry). So this plain-JS shim
 * registers tsx inside the thread, then imports the real entry; compiled .js entries skip tsx.
 */
import { workerData } from 'node:worker_threads';

// TensorFlow.js is plain JS: loading it before tsx's hooks exist saves ~0.5 s per thread.
await import('@tensorflow/tfjs');
await import('@tensorflow/tfjs-backend-wasm').catch(() => undefined);

const { entry } = workerData;
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
