/** Environment configuration, read once and frozen (design.md, "Environment"). */
import path from 'node:path';

export interface MlopsConfig {
  /** host:port of the Temporal frontend. */
  readonly temporalAddress: string;
  readonly namespace: string;
  /** Root for artifacts, the registry, logs and the dev server's SQLite file. */
  readonly home: string;
  readonly taskQueue: string;
  /** Queue polled by `mlops worker --gpu`; training goes there only when a GPU worker is configured. */
  readonly gpuTaskQueue: string;
  /** Set when training should be routed to the GPU queue (`MLOPS_USE_GPU_QUEUE=1`). */
  readonly useGpuQueue: boolean;
  /**
   * Worker Deployment Versioning: set both `MLOPS_DEPLOYMENT_NAME` and `MLOPS_BUILD_ID` to run
   * a versioned worker (trainingPipeline pinned, continuousTraining auto-upgrade).
   */
  readonly deployment?: { readonly deploymentName: string; readonly buildId: string };
  /** `<home>/artifacts`: the content-addressed artifact store. */
  readonly artifactsDir: string;
  /** `<home>/registry`: one JSON document per model. */
  readonly registryDir: string;
  /** `<home>/work`: scratch space (checkpoints, temp files). */
  readonly workDir: string;
  /** `<home>/logs`: server and demo logs. */
  readonly logsDir: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): MlopsConfig {
  const home = path.resolve(env.MLOPS_HOME || '.mlops');
  return Object.freeze({
    temporalAddress: env.TEMPORAL_ADDRESS || 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    home,
    taskQueue: env.MLOPS_TASK_QUEUE || 'mlops',
    gpuTaskQueue: env.MLOPS_GPU_TASK_QUEUE || 'mlops-gpu',
    useGpuQueue: env.MLOPS_USE_GPU_QUEUE === '1' || env.MLOPS_USE_GPU_QUEUE === 'true',
    deployment: env.MLOPS_DEPLOYMENT_NAME && env.MLOPS_BUILD_ID ? { deploymentName: env.MLOPS_DEPLOYMENT_NAME, buildId: env.MLOPS_BUILD_ID } : undefined,
    artifactsDir: path.join(home, 'artifacts'),
    registryDir: path.join(home, 'registry'),
    workDir: path.join(home, 'work'),
    logsDir: path.join(home, 'logs'),
  });
}
