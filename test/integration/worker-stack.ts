/** In-process workers running the plugin, alone or with a client, on a configuration. */
import type { Client } from '@temporalio/client';
import type { MlopsConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { connectClient } from '../../src/temporal/client.js';
import { createMlopsWorker } from '../../src/temporal/worker.js';
import type { WorkerGroup } from '../../src/temporal/worker-group.js';

/** An in-process worker of the plugin; `close()` stops it and closes its connection. */
export interface RunningWorker {
  readonly worker: WorkerGroup;
  close(): Promise<void>;
}

export interface WorkerStack extends RunningWorker {
  readonly client: Client;
}

export interface WorkerStackOptions {
  readonly baseDir: string;
  readonly logLevel?: string;
  /** Default: the configuration's task queue. */
  readonly taskQueue?: string;
}

export async function startWorker(config: MlopsConfig, options: WorkerStackOptions): Promise<RunningWorker> {
  const { worker, connection } = await createMlopsWorker({ config, logger: createLogger('test', options.logLevel ?? 'warn'), baseDir: options.baseDir, taskQueue: options.taskQueue });
  const running = worker.run();
  return {
    worker,
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export async function startWorkerStack(config: MlopsConfig, options: WorkerStackOptions): Promise<WorkerStack> {
  const running = await startWorker(config, options);
  const client = await connectClient(config);
  return {
    worker: running.worker,
    client,
    async close() {
      await running.close();
      await client.connection.close();
    },
  };
}
