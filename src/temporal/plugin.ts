/**
 * MlopsPlugin: add it to your own Worker (and Client) to get the lifecycle workflows and
 * activities. Built on Temporal's SimplePlugin.
 *
 * ```ts
 * const worker = await Worker.create({ connection, taskQueue: 'mlops', plugins: [new MlopsPlugin()] });
 * ```
 */
import { SimplePlugin } from '@temporalio/plugin';
import type { WorkerOptions } from '@temporalio/worker';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createActivities } from '../../activities/index.js';
import { loadConfig, type MlopsConfig } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import type { ArtifactStore } from '../registry/artifact-store.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import { openArtifactStore, openRegistry } from '../registry/open.js';
import { combinedWorkflowsPath } from './combined-workflows.js';

export interface MlopsPluginOptions {
  /** Environment configuration; defaults to {@link loadConfig} of `process.env`. */
  readonly config?: MlopsConfig;
  /** Artifact store; defaults to the configured one (`MLOPS_ARTIFACTS`, else `MLOPS_HOME/artifacts`). */
  readonly store?: ArtifactStore;
  /** Model registry; defaults to the configured one (`MLOPS_REGISTRY`, else `MLOPS_HOME/registry`). */
  readonly registry?: ModelRegistry;
  /** Relative `data.source` paths resolve against this folder (default: the working directory). */
  readonly baseDir?: string;
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

/** Where the workflow sources live; the worker bundles them for the sandbox. */
export const workflowsPath = createRequire(import.meta.url).resolve('../../workflows/index.ts');

/** Builds the activity dependencies from plugin options and configuration. */
export function activityDepsFor(options: MlopsPluginOptions = {}) {
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

export class MlopsPlugin extends SimplePlugin {
  constructor(options: MlopsPluginOptions = {}) {
    super({
      name: 'temporal-mlops',
      // A Worker's own workflows stay: ours are added beside them.
      workflowsPath: (theirs) => (theirs === undefined || path.resolve(theirs) === workflowsPath ? workflowsPath : combinedWorkflowsPath(theirs, workflowsPath)),
      activities: createActivities(activityDepsFor(options)),
    });
  }

  /** With a prebuilt `workflowBundle` (made with `bundleWorkflowCode({ plugins: [plugin] })`), ours are already in it. */
  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker(options);
    if (options.workflowBundle === undefined) return configured;
    const { workflowsPath: _ours, ...rest } = configured;
    return rest;
  }
}
