/**
 * Creates the plugin's workers: on the main queue, the workflows and short steps plus a
 * training worker on `<queue>-training`, each with its own bound (./worker-slots.ts); or, with
 * `gpu`, one worker on the GPU queue that only takes trainings.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import type { MlopsConfig } from '../config.js';
import { MlopsError } from '../errors.js';
import type { Logger } from '../logger.js';
import { hasGpuBackend } from '../model/backend.js';
import { ensureSearchAttributes } from './dev-server.js';
import { connectionFailure, temporalConnectionOptions } from './connection.js';
import { activityDepsFor, MlopsPlugin } from './plugin.js';
import { installRuntimeLogger } from './runtime-logger.js';
import { WorkerGroup } from './worker-group.js';
import { activitySlots, resourceController, workerTuner } from './worker-slots.js';
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

/** The queue a main-queue worker's trainings go to, polled by its training worker. */
export function trainingQueueOf(taskQueue: string): string {
  return `${taskQueue}-training`;
}

export interface MlopsWorkers {
  /** Run it, shut it down, ask its state, as one Worker. */
  readonly worker: WorkerGroup;
  readonly connection: NativeConnection;
  /** The queue of the workflows (or, with `gpu`, of the trainings). */
  readonly taskQueue: string;
  /** Where this worker takes trainings from. */
  readonly trainingTaskQueue: string;
}

/** Connects and creates the workers `mlops worker` runs: the plugin's workflows (bundled with webpack's listing in the debug log) and short steps on the main queue, trainings on their own queue with a bounded number of slots, search attributes registered. Run it with `worker.run()`, then close the connection. */
export async function createMlopsWorker(options: MlopsWorkerOptions): Promise<MlopsWorkers> {
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
    // Trainings leave the main queue for their own, unless MLOPS_USE_GPU_QUEUE sends them to the GPU queue.
    const trainingTaskQueue = options.gpu ? taskQueue : config.useGpuQueue ? config.gpuTaskQueue : trainingQueueOf(taskQueue);
    const deps = activityDepsFor({ config, logger, baseDir: options.baseDir, searchAttributes, trainingTaskQueue });
    const controller = resourceController();
    const common = {
      connection,
      namespace: config.namespace,
      interceptors: options.interceptors,
      // Both queues join the build's deployment version, so a pinned run trains on its own build.
      workerDeploymentOptions: config.deployment
        ? { useWorkerVersioning: true, version: config.deployment, defaultVersioningBehavior: 'PINNED' }
        : undefined,
    } satisfies Partial<WorkerOptions>;
    const plugin = new MlopsPlugin({ config, logger, baseDir: options.baseDir, searchAttributes, store: deps.store, registry: deps.registry, trainingTaskQueue });
    const main = await Worker.create({
      ...common,
      taskQueue,
      workflowBundle: await bundleQuietly(plugin, logger),
      plugins: [plugin],
      // The GPU queue carries only trainings; the main queue carries the short steps (data, checks).
      tuner: workerTuner(options.gpu ? activitySlots(controller, config.trainingSlots) : activitySlots(controller, config.stepSlots, 2)),
    });
    if (options.gpu || config.useGpuQueue) return { worker: new WorkerGroup(main), connection, taskQueue, trainingTaskQueue };
    const training = await Worker.create({
      ...common,
      taskQueue: trainingTaskQueue,
      activities: { train: createActivities(deps).train },
      tuner: workerTuner(activitySlots(controller, config.trainingSlots)),
    });
    return { worker: new WorkerGroup(main, [training]), connection, taskQueue, trainingTaskQueue };
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
