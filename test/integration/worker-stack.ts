/** An in-process worker running the plugin, and a client, on a configuration; `close()` stops both. */
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { MlopsConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { connectClient } from '../../src/temporal/client.js';
import { createMlopsWorker } from '../../src/temporal/worker.js';

export interface WorkerStack {
  readonly worker: Worker;
  readonly client: Client;
  close(): Promise<void>;
}

export async function startWorkerStack(config: MlopsConfig, options: { baseDir: string; logLevel?: string }): Promise<WorkerStack> {
  const { worker, connection } = await createMlopsWorker({ config, logger: createLogger('test', options.logLevel ?? 'warn'), baseDir: options.baseDir });
  const running = worker.run();
  const client = await connectClient(config);
  return {
    worker,
    client,
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await Promise.all([connection.close(), client.connection.close()]);
    },
  };
}
