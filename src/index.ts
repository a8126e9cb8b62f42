/**
 * temporal-mlops's public API: the plugin for your Worker and Client, the workflows' message
 * definitions, the spec, and client helpers.
 */
export { MlopsPlugin, workflowsPath, type MlopsPluginOptions } from './temporal/plugin.js';
export { createActivities, type ActivityDeps, type MlopsActivities } from '../activities/index.js';
export * from '../workflows/messages.js';
export * from '../workflows/monitor-messages.js';
export * from '../workflows/search-attributes.js';
export { pipelineSpecSchema, type PipelineSpec, type PipelineSpecInput } from './spec/schema.js';
export { loadSpecFile, parseSpec, specJsonSchema } from './spec/parse.js';
export { approve, reject, startTrainingPipeline, waitForStage, pipelineStatus } from './temporal/pipeline-client.js';
export { loadConfig, type MlopsConfig } from './config.js';
export { loadTemporalSettings, temporalConnectionOptions, type TemporalConnectionOptions, type TemporalSettings } from './temporal/connection.js';
export { MlopsError } from './errors.js';
export { hyperparameterSweep, sweepStatusQuery, type SweepInput, type SweepResult, type SweepTrial } from '../workflows/hyperparameter-sweep.js';
