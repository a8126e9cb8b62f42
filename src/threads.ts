/** Starting the project's worker threads the same way under tsx, vitest and compiled JS. */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface ThreadOptions {
  /** Plain-JS packages the thread loads before tsx (see ./thread-boot.mjs). */
  readonly preload?: readonly string[];
  /** More `workerData` for the thread's module. */
  readonly data?: object;
}

/**
 * Starts a worker thread running the module `name` that sits beside `from` (the caller's
 * `import.meta.url`): `name.ts` under tsx and vitest, `name.js` if the project is compiled.
 */
export function startWorkerThread(from: string, name: string, options: ThreadOptions = {}): Worker {
  const ext = path.extname(new URL(from).pathname) || '.ts';
  const entry = new URL(`./${name}${ext}`, from).href;
  return new Worker(new URL('./thread-boot.mjs', import.meta.url), { workerData: { ...options.data, entry, preload: options.preload ?? [] } });
}
