/** Creates and runs the plugin's worker on the main queue, or on the GPU queue for training. */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { MlopsConfig } from '../config.js';
import { MlopsError } from '../errors.js';
import type { Logger } from '../logger.js';
import { hasGpuBackend } from '../model/backend.js';
import { ensureSearchAttributes } from './dev-server.js';
import { connectionFailure, temporalConnectionOptions } from './connection.js';
import { MlopsPlugin } from './plugin.js';
import { installRuntimeLogger } from './runtime-logger.js';
import { bundleQuietly } from './workflow-bundle.js';

/** Options of {@link createMlopsWorker}. */
export interface MlopsWorkerOptions {
  /** Environment configuration ({@link loadConfig}). */
  readonly config: MlopsConfig;
  /** Where the worker, the SDK and the activities log. */
  readonly logger: Logger;
  /** Defaults to the configured main queue, or the GPU queue with `gpu`. */
  readonly taskQueue?: string;
  /** Poll the GPU queue; refuses to start on a host without a GPU TensorFlow backend. */
  readonly gpu?: boolean;
  /** Relative data paths in specs resolve against this folder. */
  readonly baseDir?: string;
  /** Extra interceptors (e.g. tracing, or the benchmarks' activity timer). */
  readonly interceptors?: WorkerOptions['interceptors'];
}

/** Connects and creates the worker `mlops worker` runs: the plugin's workflows (bundled with webpack's listing in the debug log) and activities, search attributes registered. Run it with `worker.run()`, then close the connection. */
export async function createMlopsWorker(options: MlopsWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection; taskQueue: string }> {
  const { config, logger } = options;
  if (options.gpu && !(await hasGpuBackend())) {
    throw new MlopsError(
      'UsageError',
      'this host has no GPU TensorFlow backend: install @tensorflow/tfjs-node-gpu (CUDA 11.2 + cuDNN 8.1) to run "mlops worker --gpu", or start a plain "mlops worker"',
    );
  }
  const taskQueue = options.taskQueue ?? (options.gpu ? config.gpuTaskQueue : config.taskQueue);
  installRuntimeLogger(logger);
  const connectionOptions = temporalConnectionOptions(config);
  const connection = await NativeConnection.connect(connectionOptions.native).catch(async (err: unknown) => {
    throw await connectionFailure(connectionOptions, err);
  });
  try {
    const searchAttributes = await registerSearchAttributes(connection, config, logger);
    const plugin = new MlopsPlugin({ config, logger, baseDir: options.baseDir, searchAttributes });
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue,
      workerDeploymentOptions: config.deployment
        ? { useWorkerVersioning: true, version: config.deployment, defaultVersioningBehavior: 'PINNED' }
        : undefined,
      workflowBundle: await bundleQuietly(plugin, logger),
      plugins: [plugin],
      interceptors: options.interceptors,
    });
    return { worker, connection, taskQueue };
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/**
 * Workflows upsert the product's search attributes, which fails on a namespace that lacks them;
 * register them here (over the worker's own connection), and tell the workflows (through
 * prepareSpec) to skip upserts if we can't.
 */
async function registerSearchAttributes(connection: NativeConnection, config: MlopsConfig, logger: Logger): Promise<boolean> {
  try {
    await ensureSearchAttributes(connection, config.namespace);
    return true;
  } catch (err) {
    logger.warn({ err }, 'could not register search attributes; workflows will not upsert them (register MlopsModelName, MlopsStage, MlopsModelVersion, MlopsBlessed to filter runs in the Web UI)');
    return false;
  }
}
