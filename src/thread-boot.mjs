/**
 * Entry point of the project's worker threads (training, the inference log). The project runs
 * TypeScript through tsx, but on Node 20 loader hooks given to a worker as
 * `execArgv: ['--import', 'tsx']` do not apply to the worker's modules
 * (ERR_UNKNOWN_FILE_EXTENSION for the .ts entry). So this plain-JS shim registers tsx inside
 * the thread, then imports the real entry (`workerData.entry`); compiled .js entries skip tsx.
 * `workerData.preload` names plain-JS packages to load first: before tsx's hooks exist they
 * load faster (TensorFlow.js: ~0.5 s per thread); one that fails to load is skipped.
 */
import { workerData } from 'node:worker_threads';

for (const name of workerData.preload ?? []) await import(name).catch(() => undefined);

const { entry } = workerData;
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
