/**
 * MlopsPlugin: add it to your own Worker (and Client) to get the lifecycle workflows and
 * activities. Built on Temporal's SimplePlugin.
 *
 * ```js
 * const worker = await Worker.create({ connection, taskQueue: 'mlops', plugins: [new MlopsPlugin()] });
 * ```
 */
import { SimplePlugin } from '@temporalio/plugin';
import type { BundleOptions, Worker, WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createActivities, type ActivityDeps } from '../../activities/index.js';
import { loadConfig, type MlopsConfig } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { openArtifactStore, openRegistry } from '../registry/open.js';
import { combinedWorkflowsPath, resolveFromPackage } from './combined-workflows.js';

/** Options of {@link MlopsPlugin}; every one is optional. */
export interface MlopsPluginOptions {
  /** Environment configuration; defaults to {@link loadConfig} of `process.env`. */
  readonly config?: MlopsConfig;
  /**
   * Artifact store; defaults to the configured one (`MLOPS_ARTIFACTS`, else
   * `MLOPS_HOME/artifacts`). One you pass stays yours: the plugin does not close it.
   */
  readonly store?: ArtifactStore;
  /**
   * Model registry; defaults to the configured one (`MLOPS_REGISTRY`, else
   * `MLOPS_HOME/registry`), which the plugin closes when the last Worker using it stops. One
   * you pass stays yours: close it yourself.
   */
  readonly registry?: ModelRegistry;
  /** Relative `data.source` paths resolve against this folder (default: the working directory). */
  readonly baseDir?: string;
  /** The activities' logger (pino); default: a `mlops-activities` logger on stderr (`MLOPS_LOG_LEVEL`). */
  readonly logger?: Logger;
  /**
   * Whether the namespace has the product's search attributes, so workflows may upsert them.
   * Default `detect`: asked of the namespace on first use (`mlops worker` and `mlops server`
   * register them; a plain Worker on a fresh namespace just runs without them).
   */
  readonly searchAttributes?: boolean | 'detect';
  /**
   * The queue `train` steps go to; default: the workflow's own queue. `model.gpu` specs, and
   * every spec with `MLOPS_USE_GPU_QUEUE=1`, go to the GPU queue instead. `mlops worker` sets
   * its training queue here (see src/temporal/worker.ts).
   */
  readonly trainingTaskQueue?: string;
}

/**
 * Where the workflows module lives: `dist/workflows/index.js` in the package (the Worker bundles
 * it for the sandbox), `workflows/index.ts` when this module runs from the sources.
 */
export const workflowsPath = fileURLToPath(new URL(`../../workflows/index${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));

/** Builds the activity dependencies from plugin options and configuration. */
export function activityDepsFor(options: MlopsPluginOptions = {}): ActivityDeps {
  const config = options.config ?? loadConfig();
  return {
    store: options.store ?? openArtifactStore(config),
    registry: options.registry ?? openRegistry(config),
    workDir: config.workDir,
    baseDir: options.baseDir ?? process.cwd(),
    trainingTaskQueue: config.useGpuQueue ? config.gpuTaskQueue : options.trainingTaskQueue,
    gpuTaskQueue: config.gpuTaskQueue,
    allowCommands: config.allowCommands,
    logger: options.logger ?? createLogger('mlops-activities'),
    searchAttributes: options.searchAttributes ?? 'detect',
  };
}

/**
 * The Temporal plugin: adds `trainingPipeline`, `continuousTraining` and `hyperparameterSweep`
 * and their activities to a Worker, beside the Worker's own workflows and activities. Pass the
 * same instance to your Client's `plugins` if you like (it changes nothing there today).
 */
export class MlopsPlugin extends SimplePlugin {
  /** What the plugin opened itself and closes when no Worker runs with it any more. */
  readonly #owned: { readonly store?: ArtifactStore; readonly registry?: ModelRegistry };
  #runningWorkers = 0;

  constructor(options: MlopsPluginOptions = {}) {
    const config = options.config ?? loadConfig();
    const deps = activityDepsFor({ ...options, config });
    const generatedDir = path.join(config.home, 'workflows');
    super({
      name: 'temporal-mlops',
      // A Worker's own workflows stay: ours are added beside them.
      workflowsPath: (theirs) =>
        theirs === undefined || path.resolve(theirs) === workflowsPath ? workflowsPath : combinedWorkflowsPath(theirs, workflowsPath, generatedDir),
      activities: createActivities(deps),
    });
    this.#owned = { store: options.store ? undefined : deps.store, registry: options.registry ? undefined : deps.registry };
  }

  /** With a prebuilt `workflowBundle` (made with `bundleWorkflowCode({ plugins: [plugin] })`), ours are already in it. */
  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker(options);
    if (options.workflowBundle !== undefined) {
      const { workflowsPath: _ours, ...rest } = configured;
      return rest;
    }
    return { ...configured, bundlerOptions: { ...configured.bundlerOptions, webpackConfigHook: resolveFromPackage(configured.bundlerOptions?.webpackConfigHook) } };
  }

  /** For `bundleWorkflowCode({ plugins: [plugin], … })`: our workflows, beside yours when you name a `workflowsPath`. */
  override configureBundler(options: BundleOptions): BundleOptions {
    const configured = super.configureBundler(options);
    return { ...configured, webpackConfigHook: resolveFromPackage(configured.webpackConfigHook) };
  }

  /** Runs the Worker, then releases the registry connection and store the plugin opened once the last Worker using it has stopped. */
  override async runWorker(worker: Worker, next: (w: Worker) => Promise<void>): Promise<void> {
    this.#runningWorkers++;
    try {
      await super.runWorker(worker, next);
    } finally {
      if (--this.#runningWorkers === 0) await this.#release();
    }
  }

  async #release(): Promise<void> {
    const { store, registry } = this.#owned;
    await registry?.close();
    await store?.close?.();
  }
}
