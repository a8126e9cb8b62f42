/** Workers running the plugin, in this process (alone or with a client) or in a child process, on a configuration. */
import type { Client } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `createMlopsWorker` in a child process (`node --import tsx`), so a test can kill it like a
 * crashed host. It reads its configuration from `env` (MLOPS_HOME, TEMPORAL_ADDRESS, queues, …);
 * `gpu` makes it poll the GPU queue. Resolves once it is polling.
 */
export async function spawnWorkerProcess(config: MlopsConfig, env: Record<string, string>, options: { gpu?: boolean } = {}): Promise<ChildProcess> {
  const script = [
    `import { loadConfig } from ${JSON.stringify(path.join(root, 'src/config.ts'))};`,
    `import { createLogger } from ${JSON.stringify(path.join(root, 'src/logger.ts'))};`,
    `import { createMlopsWorker } from ${JSON.stringify(path.join(root, 'src/temporal/worker.ts'))};`,
    'const config = loadConfig(process.env);',
    `const { worker } = await createMlopsWorker({ config, logger: createLogger('child', 'warn'), baseDir: config.home${options.gpu ? ', taskQueue: config.gpuTaskQueue' : ''} });`,
    "process.stdout.write('ready\\n');",
    'await worker.run();',
  ].join('\n');
  // A file, not `-e`: worker threads inherit execArgv, and `--input-type` breaks their entry modules.
  const file = path.join(config.home, options.gpu ? 'gpu-worker.mjs' : 'worker.mjs');
  await writeFile(file, script);
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    env: { ...process.env, MLOPS_HOME: config.home, TEMPORAL_ADDRESS: config.temporalAddress, MLOPS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`the worker process exited with ${code} before it was ready`)));
  });
  return child;
}
