/**
 * Entry point of a worker thread whose module is TypeScript (`workerData.entry`). On Node 20,
 * tsx's loader hooks given as `execArgv` do not reach a worker's modules, so this plain-JS
 * shim registers tsx inside the thread first; a compiled .js entry skips tsx.
 */
import { workerData } from 'node:worker_threads';

const { entry } = workerData;
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
