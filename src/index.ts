/**
 * temporal-mlops's public API: the plugin for your Worker and Client, the workflows, their
 * message definitions, client helpers, the spec, and the parts you may pass in (artifact
 * store, model registry, logger, configuration).
 *
 * ```js
 * import { MlopsPlugin, startTrainingPipeline, waitForStage, approve } from 'temporal-mlops';
 * ```
 */

// The plugin and the worker `mlops worker` runs.
export { MlopsPlugin, workflowsPath, activityDepsFor, type MlopsPluginOptions } from './temporal/plugin.js';
export { createMlopsWorker, type MlopsWorkerOptions } from './temporal/worker.js';
export { createActivities, type ActivityDeps, type MlopsActivities } from '../activities/index.js';

// The workflows (for typed handles and `import type`), their messages and search attributes.
export { trainingPipeline, continuousTraining, hyperparameterSweep } from '../workflows/index.js';
export { sweepStatusQuery, type SweepInput, type SweepResult, type SweepStage, type SweepStatus, type SweepTrial, type TrialParams } from '../workflows/hyperparameter-sweep.js';
export * from '../workflows/messages.js';
export * from '../workflows/monitor-messages.js';
export * from '../workflows/search-attributes.js';

// Client helpers: no workflow, signal or query named by string.
export {
  approve,
  createRetrainingSchedule,
  decide,
  defaultWorkflowId,
  getMonitorStatus,
  getStatus,
  getSweepStatus,
  monitorControls,
  pipelineStatus,
  reject,
  startContinuousTraining,
  startHyperparameterSweep,
  startTrainingPipeline,
  waitForStage,
  type MonitorHandle,
  type PipelineHandle,
  type RetrainingScheduleOptions,
  type StartOptions,
  type SweepHandle,
} from './temporal/client-helpers.js';
export { connectClient } from './temporal/client.js';

// The pipeline spec.
export { pipelineSpecSchema, type FeatureSpec, type PipelineSpec, type PipelineSpecInput, type Task } from './spec/schema.js';
export { loadSpecFile, parseSpec, resolveSpecPaths, specJsonSchema } from './spec/parse.js';

// Configuration and the Temporal connection.
export { loadConfig, type ArtifactsLocation, type MlopsConfig, type RegistryLocation } from './config.js';
export {
  loadTemporalSettings,
  plainTemporalSettings,
  temporalConnectionOptions,
  type TemporalConnectionOptions,
  type TemporalSettings,
  type TemporalTarget,
} from './temporal/connection.js';

// What you may pass to the plugin: artifact store, model registry, logger.
export { FileArtifactStore, type ArtifactRef, type ArtifactStore } from './registry/artifact-store.js';
export { S3ArtifactStore, type S3ArtifactStoreOptions } from './registry/s3-artifact-store.js';
export {
  ModelRegistry,
  type AliasAction,
  type AliasChange,
  type AliasEvent,
  type ApprovalRecord,
  type InferenceSegment,
  type Lineage,
  type ModelVersion,
  type NewVersion,
  type RegisteredModel,
  type SegmentQuery,
  type Tags,
} from './registry/model-registry.js';
export { FileModelRegistry } from './registry/file-registry.js';
export { openArtifactStore, openRegistry } from './registry/open.js';
export { createLogger, type Logger } from './logger.js';
export { MlopsError, isMlopsError, type ErrorType } from './errors.js';
